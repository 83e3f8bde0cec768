package io.ringkv.bench.codec;

import io.ringkv.core.codec.Base64;
import io.ringkv.core.codec.JsonScanner;
import io.ringkv.core.codec.JsonString;
import io.ringkv.core.codec.Utf8;
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

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The shared text codecs of core.codec on the values they see most: mostly-ASCII text with an occasional
 * multi-byte character (UTF-8 check, JSON escaping), random bytes (base64), and a JSON document (validate and
 * compact). Run with {@code -prof gc}: every method must allocate 0 B/op.
 * <pre>
 *   java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main TextCodecBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class TextCodecBenchmark
{
    /** Bytes of text or data per operation. */
    @Param({"32", "1024", "65536"})
    public int size;

    private UnsafeBuffer text;
    private UnsafeBuffer binary;
    private UnsafeBuffer base64Text;
    private int base64Length;
    private UnsafeBuffer document;
    private final JsonScanner scanner = new JsonScanner();
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(256 * 1024);

    @Setup
    public void setup()
    {
        final StringBuilder builder = new StringBuilder();
        while (builder.length() < size)
        {
            builder.append("user:1000 logged in from \u00e9cole, said \"hi\"\n");
        }
        final byte[] utf8 = builder.toString().getBytes(StandardCharsets.UTF_8);
        text = new UnsafeBuffer(java.util.Arrays.copyOf(utf8, size));
        // Cut on a character boundary so the text stays valid UTF-8.
        int length = size;
        while ((text.getByte(length - 1) & 0xC0) == 0x80 || text.getByte(length - 1) < 0)
        {
            length--;
        }
        text = new UnsafeBuffer(java.util.Arrays.copyOf(utf8, length));

        final byte[] bytes = new byte[size];
        new java.util.Random(7).nextBytes(bytes);
        binary = new UnsafeBuffer(bytes);
        base64Text = new UnsafeBuffer(new byte[Base64.encodedLength(size)]);
        base64Length = Base64.encode(binary, 0, size, base64Text, 0);

        final StringBuilder json = new StringBuilder("{ \"items\" : [ ");
        for (int i = 0; json.length() < size; i++)
        {
            json.append(i == 0 ? "" : ", ").append("{ \"id\" : ").append(i).append(", \"name\" : \"item ")
                .append(i).append(" \\u00e9\", \"tags\" : [ \"a\", \"b\" ], \"price\" : 12.5 }");
        }
        document = new UnsafeBuffer(json.append(" ] }").toString().getBytes(StandardCharsets.UTF_8));
    }

    @Benchmark
    public boolean utf8IsValid()
    {
        return Utf8.isValid(text, 0, text.capacity());
    }

    @Benchmark
    public int jsonEscape()
    {
        return JsonString.escape(text, 0, text.capacity(), out, 0);
    }

    @Benchmark
    public int base64Encode()
    {
        return Base64.encode(binary, 0, size, out, 0);
    }

    @Benchmark
    public int base64Decode()
    {
        return Base64.decode(base64Text, 0, base64Length, out, 0);
    }

    @Benchmark
    public int jsonValidateAndCompact()
    {
        final JsonScanner scanner = this.scanner;
        scanner.wrap(document, 0);
        final int end = scanner.skipValue(0, document.capacity(), 0);
        return scanner.compact(0, end, out, 0);
    }
}
