package io.ringkv.loadgen.run;

import io.ringkv.loadgen.protocol.JsonLineReplyParser;
import io.ringkv.loadgen.protocol.JsonLineRequestEncoder;
import io.ringkv.loadgen.protocol.ReplyParser;
import io.ringkv.loadgen.protocol.RequestEncoder;
import io.ringkv.loadgen.protocol.RespReplyParser;
import io.ringkv.loadgen.protocol.RespRequestEncoder;
import io.ringkv.loadgen.workload.CommandMix;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyDistribution;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.MovingHotSetKeyDistribution;
import io.ringkv.loadgen.workload.ScanningKeyDistribution;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.ValuePool;
import io.ringkv.loadgen.workload.ZipfianKeyDistribution;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-request work of a connection (pick a command, encode it, parse a reply, count an error, record a
 * latency; cache-aside's GET, miss and SET of the same key over moving and scanning keys) allocates nothing
 * once warm: measured with the JVM's per-thread allocation counter.
 */
class HotPathAllocationTest
{
    private static final int REQUESTS = 200_000;

    @Test
    void respRequestAndReplyCycleAllocatesNothing()
    {
        assertNoAllocation(new RespRequestEncoder(), new RespReplyParser(),
            "+OK\r\n$5\r\nhello\r\n-ERR value is not an integer or out of range\r\n*2\r\n$1\r\na\r\n$-1\r\n:12\r\n");
    }

    @Test
    void jsonRequestAndReplyCycleAllocatesNothing()
    {
        assertNoAllocation(new JsonLineRequestEncoder(), new JsonLineReplyParser(),
            "{}\n{\"value\":\"hello\"}\n{\"error\":\"ERR value is not an integer\"}\n{\"value\":[\"a\",null]}\n"
            + "{\"value\":12}\n");
    }

    @Test
    void cacheAsideCycleOverMovingAndScanningKeysAllocatesNothing()
    {
        for (final boolean json : new boolean[] {false, true})
        {
            final SplittableRandom random = new SplittableRandom(5);
            final long keySpace = 100_000;
            final KeyDistribution moving = new MovingHotSetKeyDistribution(
                new ZipfianKeyDistribution(keySpace, 0.99, random), keySpace, 7_000, 50_000, System.nanoTime(),
                System::nanoTime);
            final KeyDistribution keys = new ScanningKeyDistribution(moving, keySpace, 1_000, 1L << 40, 20_000,
                System.nanoTime(), System::nanoTime, 0, 1);
            final RequestArguments args = new RequestArguments(keys, new KeyFormat("key:", 16),
                new ValuePool(10, 200, true, json, 5), random, keySpace);
            final RequestEncoder encoder = json ? new JsonLineRequestEncoder() : new RespRequestEncoder();
            final ReplyParser parser = json ? new JsonLineReplyParser() : new RespReplyParser();
            final String replies = json ?
                "{\"value\":null}\n{\"value\":\"hello\"}\n{}\n" : "$-1\r\n$5\r\nhello\r\n+OK\r\n";
            final byte[] bytes = replies.getBytes(StandardCharsets.UTF_8);
            final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(bytes.length);
            replyBuffer.put(0, bytes);
            final ConnectionState state = new ConnectionState(0, 2);
            final IntendedTimeRing ring = new IntendedTimeRing(1024);
            final IntendedTimeRing misses = new IntendedTimeRing(1024);
            final ByteBuffer requests = ByteBuffer.allocateDirect(1 << 16);

            cacheAsideCycle(encoder, parser, args, requests, replyBuffer, state, ring, misses);
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long before = threads.getCurrentThreadAllocatedBytes();
            cacheAsideCycle(encoder, parser, args, requests, replyBuffer, state, ring, misses);
            final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + REQUESTS + " requests");
            assertTrue(state.misses.get() > 0 && state.hits.get() > 0, "both replies were seen");
        }
    }

    /** GET, its reply (miss, hit, alternately), and for a miss the SET of the same key, as the loops do it. */
    private static void cacheAsideCycle(
        final RequestEncoder encoder,
        final ReplyParser parser,
        final RequestArguments args,
        final ByteBuffer requests,
        final ByteBuffer replies,
        final ConnectionState state,
        final IntendedTimeRing ring,
        final IntendedTimeRing misses)
    {
        final CommandTemplate get = CommandTemplate.builtIn("get", 1);
        final CommandTemplate set = CommandTemplate.builtIn("set", 1);
        int index = 0;
        int replyIndex = 0;
        for (int i = 0; i < REQUESTS; i++)
        {
            if (requests.capacity() - index < 2048)
            {
                index = 0;
            }
            final long key = args.nextKey();
            args.repeatKey(key);
            ring.offer(i, key);
            index = encoder.encode(requests, index, get, args);
            ring.poll();
            replyIndex = parser.parse(replies, replyIndex, replies.limit());
            state.countGet(parser);
            state.record(0, 1000 + i);
            if (parser.isNil())
            {
                misses.offer(ring.polledPayload(), i);
                final long missed = misses.poll();
                args.repeatKey(missed);
                index = encoder.encode(requests, index, set, args);
                replyIndex = parser.parse(replies, replyIndex, replies.limit());
                state.record(1, 1000 + misses.polledPayload());
            }
            if (replyIndex == replies.limit())
            {
                replyIndex = 0;
            }
        }
    }

    private static void assertNoAllocation(final RequestEncoder encoder, final ReplyParser parser, final String replies)
    {
        final Map<String, Integer> weights = new java.util.LinkedHashMap<>();
        for (final String name : List.of("get", "set", "incr", "mget", "del", "hset"))
        {
            weights.put(name, 1);
        }
        final CommandMix mix = new CommandMix(weights,
            List.of(CommandTemplate.parse("HSET __key__ f __value__ n __rand__")), 5);
        final SplittableRandom random = new SplittableRandom(3);
        final RequestArguments args = new RequestArguments(new ZipfianKeyDistribution(100_000, 0.99, random),
            new KeyFormat("key:", 16), new ValuePool(10, 200, true, true, 3), random, 100_000);
        final ByteBuffer requests = ByteBuffer.allocateDirect(1 << 16);
        final byte[] bytes = replies.getBytes(StandardCharsets.UTF_8);
        final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(bytes.length);
        replyBuffer.put(0, bytes);
        final ConnectionState state = new ConnectionState(0, mix.size());

        cycle(encoder, parser, mix, random, args, requests, replyBuffer, state);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long before = threads.getCurrentThreadAllocatedBytes();
        assertTrue(before > 0, "this JVM does not count allocated bytes per thread");
        cycle(encoder, parser, mix, random, args, requests, replyBuffer, state);
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // A little slack for the allocation counter's own bookkeeping; one object per request would be megabytes.
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + REQUESTS + " requests");
    }

    private static void cycle(
        final RequestEncoder encoder,
        final ReplyParser parser,
        final CommandMix mix,
        final SplittableRandom random,
        final RequestArguments args,
        final ByteBuffer requests,
        final ByteBuffer replies,
        final ConnectionState state)
    {
        int index = 0;
        int replyIndex = 0;
        for (int i = 0; i < REQUESTS; i++)
        {
            final int command = mix.next(random);
            if (requests.capacity() - index < 2048)
            {
                index = 0;
            }
            index = encoder.encode(requests, index, mix.command(command), args);
            if (replyIndex == replies.limit())
            {
                replyIndex = 0;
            }
            replyIndex = parser.parse(replies, replyIndex, replies.limit());
            if (parser.isError())
            {
                state.errors.add(replies, parser.errorIndex(), parser.errorLength());
            }
            state.record(command, 1000 + i);
        }
        assertTrue(state.errors.total() > 0);
    }
}
