package io.ringkv.bench.engine;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * DUMP and RESTORE of one large value (1 MB by default) through the engine's ring, as a client sees them minus
 * the network: serialize (LZF attempt, CRC-64) and copy into the reply; verify (CRC-64), decode and store. Compare
 * with {@code redis-benchmark}'s or {@code redis-cli --latency}'s view of the same commands on Redis (see
 * docs/benchmarks.md); {@code -prof gc} shows what is allocated per operation.
 * <pre>
 *   JMH thread ──execute(DUMP k | RESTORE r 0 payload REPLACE)──▶ ring ──▶ ringkv-engine ──▶ Keyspace
 *        ▲                                                                    │
 *        └────────────────────── complete(): unpark ◀────────────────────────┘
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class DumpRestoreEngineBenchmark
{
    @Param({"1048576"})
    public int valueLength;

    /** "random" does not compress (raw encoding); "text" does (LZF both ways). */
    @Param({"random", "text"})
    public String content;

    private Keyspace keyspace;
    private Engine engine;
    private CountingReply reply;
    private RequestBatch batch;
    private final ExpandableArrayBuffer args = new ExpandableArrayBuffer(4 << 20);
    private int dumpArgsLength;
    private int restoreArgsStart;
    private int[] restoreArgLengths;

    @Setup(Level.Trial)
    public void setUp()
    {
        final byte[] value = value();
        keyspace = new Keyspace(new StoreConfig());
        engine = new Engine(new EngineConfig(), keyspace, CoreCommands.newTable(), List.of());
        engine.start();
        reply = new CountingReply();
        batch = new RequestBatch(new ClientSession(1, true), reply);

        final ExpandableArrayBuffer payload = new ExpandableArrayBuffer();
        final int payloadLength = new DumpPayloadWriter().writeString(new UnsafeBuffer(value), 0, value.length,
            payload, 0);
        final byte[] payloadBytes = new byte[payloadLength];
        payload.getBytes(0, payloadBytes);

        int position = 0;
        batch.reset(args);
        position = add(position, ascii("SET"), ascii("k"), value);
        batch.endRequest(RequestBatch.VALUE_RAW);
        engine.execute(batch);

        position = 0;
        for (final byte[] word : new byte[][]{ascii("DUMP"), ascii("k")})
        {
            args.putBytes(position, word);
            position += word.length;
        }
        dumpArgsLength = position;
        restoreArgsStart = position;
        final byte[][] restore = {ascii("RESTORE"), ascii("r"), ascii("0"), payloadBytes, ascii("REPLACE")};
        restoreArgLengths = new int[restore.length];
        for (int i = 0; i < restore.length; i++)
        {
            args.putBytes(position, restore[i]);
            restoreArgLengths[i] = restore[i].length;
            position += restore[i].length;
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        engine.close();
        keyspace.close();
        if (reply.errors != 0)
        {
            throw new IllegalStateException(reply.errors + " commands failed");
        }
    }

    @Benchmark
    public long dump()
    {
        batch.reset(args);
        batch.addArg(0, 4);
        batch.addArg(4, dumpArgsLength - 4);
        batch.endRequest(RequestBatch.VALUE_RAW);
        engine.execute(batch);
        return reply.bytes;
    }

    @Benchmark
    public long restore()
    {
        batch.reset(args);
        int position = restoreArgsStart;
        for (final int length : restoreArgLengths)
        {
            batch.addArg(position, length);
            position += length;
        }
        batch.endRequest(RequestBatch.VALUE_RAW);
        engine.execute(batch);
        return reply.replies;
    }

    private int add(final int start, final byte[]... words)
    {
        int position = start;
        for (final byte[] word : words)
        {
            args.putBytes(position, word);
            batch.addArg(position, word.length);
            position += word.length;
        }
        return position;
    }

    private byte[] value()
    {
        final byte[] value = new byte[valueLength];
        final Random random = new Random(42);
        if ("random".equals(content))
        {
            random.nextBytes(value);
            return value;
        }
        final byte[][] words = {ascii("ringkv "), ascii("redis "), ascii("dump "), ascii("restore "), ascii("lzf ")};
        int position = 0;
        while (position < value.length)
        {
            final byte[] word = words[random.nextInt(words.length)];
            final int length = Math.min(word.length, value.length - position);
            System.arraycopy(word, 0, value, position, length);
            position += length;
        }
        return value;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
