package io.ringkv.net.codec;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.jsonline.JsonLineParser;
import io.ringkv.net.jsonline.JsonLineReply;
import io.ringkv.net.jsonline.JsonRequestTable;
import io.ringkv.net.resp.RespParser;
import io.ringkv.net.resp.RespReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hot paths allocate nothing once warm: measured with the thread's allocation counter over many calls, so
 * a single stray object per call would show as kilobytes. (JMH with -prof gc measures the same in bench.)
 */
class AllocationFreeTest
{
    private static final int CALLS = 5_000;

    private static long allocatedBytes()
    {
        return ((com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertNoAllocation(final Runnable call)
    {
        for (int i = 0; i < CALLS; i++)
        {
            call.run();
        }
        final long before = allocatedBytes();
        for (int i = 0; i < CALLS; i++)
        {
            call.run();
        }
        final long allocated = allocatedBytes() - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over " + CALLS + " calls");
    }

    @Test
    void parsingPipelinesAllocatesNothing()
    {
        final StringBuilder resp = new StringBuilder();
        final StringBuilder json = new StringBuilder();
        for (int i = 0; i < 16; i++)
        {
            resp.append("*3\r\n$3\r\nSET\r\n$6\r\nkey:").append(10 + i).append("\r\n$5\r\nvalue\r\n");
            resp.append("GET key:A x\r\n");
            json.append("{\"id\":").append(i)
                .append(",\"cmd\":\"set\",\"key\":\"k\\u00e9\",\"value\":{\"a\":[1,2]}}\n");
            json.append("{\"cmd\":\"mget\",\"args\":[\"a\",1,{\"$base64\":\"/w==\"}]}\n");
        }
        final ClientSession session = new ClientSession(1, true);
        final ReplyBuffer output = new ReplyBuffer(1024);
        final byte[] respBytes = resp.toString().getBytes(StandardCharsets.US_ASCII);
        final ReadBuffer respBuffer = new ReadBuffer(4096, 1 << 20);
        respBuffer.append(respBytes, 0, respBytes.length);
        final RespParser respParser = new RespParser();
        final RequestBatch respBatch = new RequestBatch(session, new RespReply(session, output));
        assertNoAllocation(() -> respParser.parse(respBuffer.buffer(), 0, respBuffer.limit(), respBatch));
        assertEquals(32, respBatch.requestCount());

        final JsonRequestTable table = new JsonRequestTable();
        final byte[] jsonBytes = json.toString().getBytes(StandardCharsets.UTF_8);
        final ReadBuffer jsonBuffer = new ReadBuffer(4096, 1 << 20);
        jsonBuffer.append(jsonBytes, 0, jsonBytes.length);
        final JsonLineParser jsonParser = new JsonLineParser(table);
        final RequestBatch jsonBatch = new RequestBatch(session, new JsonLineReply(table, output));
        assertNoAllocation(() -> jsonParser.parse(jsonBuffer.buffer(), 0, jsonBuffer.limit(), jsonBatch));
        assertEquals(32, jsonBatch.requestCount());
    }

    @Test
    void encodingRepliesAllocatesNothing()
    {
        final UnsafeBuffer value = new UnsafeBuffer("value \"é\" \n".getBytes(StandardCharsets.UTF_8));
        final UnsafeBuffer binary = new UnsafeBuffer(new byte[]{(byte)0xFF, 0, 1});
        final byte[] pong = "PONG".getBytes(StandardCharsets.US_ASCII);
        final ReplyBuffer output = new ReplyBuffer(1024);
        final JsonRequestTable table = new JsonRequestTable();
        table.reset(value);
        table.add(JsonRequestTable.STYLE_GENERIC, 0, 5);
        for (final int protocol : new int[]{2, 3, 0})
        {
            final ClientSession session = new ClientSession(1, true);
            session.protocolVersion(protocol == 3 ? 3 : 2);
            final io.ringkv.core.command.Reply reply = protocol == 0 ?
                new JsonLineReply(table, output) : new RespReply(session, output);
            assertNoAllocation(() ->
            {
                reply.startRequest(0);
                reply.mapHeader(4);
                reply.bulk(value, 0, value.capacity());
                reply.integer(-1234567);
                reply.bulk(binary, 0, 3);
                reply.doubleValue(1.1);
                reply.simpleString(pong);
                reply.arrayHeader(3);
                reply.nil();
                reply.bool(true);
                reply.doubleValue(-2.5e-300);
                reply.bulkInteger(42);
                reply.setHeader(0);
                reply.endRequest(0);
                reply.startRequest(0);
                reply.ok();
                reply.endRequest(0);
                output.clear();
            });
        }
    }
}
