package io.ringkv.bench.net;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Reply;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.jsonline.JsonLineReply;
import io.ringkv.net.jsonline.JsonRequestTable;
import io.ringkv.net.resp.RespReply;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Encoding the replies of a 16-request pipeline (OK, 32-byte bulk, nil, integer, a 3-element array) into the
 * connection's output buffer, as the engine does for one batch. Run with {@code -prof gc}: 0 B/op expected.
 * <pre>
 *   java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main RespReplyBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RespReplyBenchmark
{
    /** Reply protocol: RESP2, RESP3 or JSON lines. */
    @Param({"resp2", "resp3", "json"})
    public String protocol;

    private ReplyBuffer output;
    private Reply reply;
    private final UnsafeBuffer value = new UnsafeBuffer("v".repeat(32).getBytes(StandardCharsets.US_ASCII));

    @Setup
    public void setup()
    {
        final ClientSession session = new ClientSession(1, true);
        session.protocolVersion("resp3".equals(protocol) ? ClientSession.PROTOCOL_RESP3 : ClientSession.PROTOCOL_RESP2);
        output = new ReplyBuffer(ReplyBuffer.INITIAL_CAPACITY_DEFAULT);
        if ("json".equals(protocol))
        {
            final JsonRequestTable table = new JsonRequestTable();
            table.reset(value);
            for (int i = 0; i < 16; i++)
            {
                table.add(JsonRequestTable.STYLE_SEED, 0, 0);
            }
            reply = new JsonLineReply(table, output);
        }
        else
        {
            reply = new RespReply(session, output);
        }
    }

    /**
     * @return bytes encoded.
     */
    @Benchmark
    public int encode()
    {
        final Reply reply = this.reply;
        for (int i = 0; i < 16; i++)
        {
            reply.startRequest(i);
            switch (i & 3)
            {
                case 0 -> reply.ok();
                case 1 -> reply.bulk(value, 0, 32);
                case 2 -> reply.integer(1234567L + i);
                default ->
                {
                    if (i == 15)
                    {
                        reply.arrayHeader(3);
                        reply.bulk(value, 0, 8);
                        reply.nil();
                        reply.integer(0);
                    }
                    else
                    {
                        reply.nil();
                    }
                }
            }
            reply.endRequest(i);
        }
        final int length = output.position();
        output.clear();
        return length;
    }
}
