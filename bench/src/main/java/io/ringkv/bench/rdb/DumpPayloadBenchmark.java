package io.ringkv.bench.rdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import io.ringkv.core.rdb.Crc64;
import io.ringkv.core.rdb.DumpPayloadReader;
import io.ringkv.core.rdb.DumpPayloadWriter;
import org.agrona.ExpandableDirectByteBuffer;
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

/**
 * DUMP and RESTORE of one large string value, the operations issue 6 times next to Redis: serialize
 * ({@link DumpPayloadWriter#writeString}: integer check, LZF attempt, CRC-64) and deserialize
 * ({@link DumpPayloadReader#read}: CRC-64, LZF validation and inflation), plus raw {@link Crc64} throughput.
 * <pre>
 *   value (off-heap) --writeString--&gt; payload (reused ExpandableDirectByteBuffer) --read--&gt; value copy
 * </pre>
 * {@code random} data never compresses (Redis stores it raw after a failed LZF attempt); {@code text} compresses
 * roughly 2.6:1. Run with {@code -prof gc} to confirm both paths allocate nothing per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
// Agrona 2 reaches jdk.internal.misc.Unsafe, which the JDK exports only on request.
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class DumpPayloadBenchmark
{
    @Param({"random", "text"})
    public String content;

    @Param({"1048576"})
    public int valueLength;

    private final DumpPayloadWriter writer = new DumpPayloadWriter();
    private final DumpPayloadReader reader = new DumpPayloadReader();
    private final ExpandableDirectByteBuffer payload = new ExpandableDirectByteBuffer(1 << 21);
    private final ExpandableDirectByteBuffer restored = new ExpandableDirectByteBuffer(1 << 21);
    private UnsafeBuffer value;
    private int payloadLength;

    @Setup
    public void setup()
    {
        final byte[] bytes = "random".equals(content) ? random(valueLength) : text(valueLength);
        value = new UnsafeBuffer(ByteBuffer.allocateDirect(valueLength));
        value.putBytes(0, bytes);
        payloadLength = writer.writeString(value, 0, valueLength, payload, 0);
        if (reader.read(payload, 0, payloadLength, restored, 0) != valueLength)
        {
            throw new IllegalStateException("round trip failed");
        }
    }

    /**
     * DUMP: value to payload.
     *
     * @return payload length.
     */
    @Benchmark
    public int serialize()
    {
        return writer.writeString(value, 0, valueLength, payload, 0);
    }

    /**
     * RESTORE: payload verified and decoded into a reused buffer.
     *
     * @return value length.
     */
    @Benchmark
    public int deserialize()
    {
        return reader.read(payload, 0, payloadLength, restored, 0);
    }

    /**
     * CRC-64 over the value alone.
     *
     * @return the checksum.
     */
    @Benchmark
    public long crc64()
    {
        return Crc64.compute(value, 0, valueLength);
    }

    private static byte[] random(final int length)
    {
        final byte[] bytes = new byte[length];
        new Random(42).nextBytes(bytes);
        return bytes;
    }

    private static byte[] text(final int length)
    {
        final String[] words =
        {
            "ringkv", "redis", "cache", "value", "key", "the", "of", "and", "off-heap", "ring", "engine", "dump",
            "restore", "payload", "lzf", "crc", "version", "string", "json", "replica", "snapshot", "latency",
        };
        final Random random = new Random(42);
        final StringBuilder builder = new StringBuilder(length + 16);
        while (builder.length() < length)
        {
            builder.append(words[random.nextInt(words.length)]);
            builder.append(random.nextInt(12) == 0 ? ' ' + Integer.toString(random.nextInt(10000)) + ", " : " ");
        }
        builder.setLength(length);
        return builder.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
