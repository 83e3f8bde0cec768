package io.ringkv.bench.net;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ReadBuffer;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.codec.RequestParser;
import io.ringkv.net.jsonline.JsonLineParser;
import io.ringkv.net.jsonline.JsonLineReply;
import io.ringkv.net.jsonline.JsonRequestTable;
import io.ringkv.net.resp.RespParser;
import io.ringkv.net.resp.RespReply;
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
 * Parsing one read's worth of pipelined requests (16: 8 SET with a 32-byte value, 8 GET) into a batch, as a
 * connection does after each read. Run with {@code -prof gc}: the parsers must allocate 0 B/op.
 * <pre>
 *   java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main RespParserBenchmark -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
public class RespParserBenchmark
{
    /** Wire format of the pipeline: RESP multibulk (what clients send), inline, or JSON lines. */
    @Param({"multibulk", "inline", "json"})
    public String format;

    private ReadBuffer readBuffer;
    private RequestParser parser;
    private RequestBatch batch;

    @Setup
    public void setup()
    {
        final ClientSession session = new ClientSession(1, true);
        final StringBuilder pipeline = new StringBuilder();
        final String value = "v".repeat(32);
        final JsonRequestTable table = new JsonRequestTable();
        for (int i = 0; i < 16; i++)
        {
            final String key = "key:" + (100000 + i);
            final boolean set = i % 2 == 0;
            switch (format)
            {
                case "multibulk" -> pipeline.append(set ?
                    "*3\r\n$3\r\nSET\r\n$10\r\n" + key + "\r\n$32\r\n" + value + "\r\n" :
                    "*2\r\n$3\r\nGET\r\n$10\r\n" + key + "\r\n");
                case "inline" -> pipeline.append(set ? "SET " + key + " " + value + "\r\n" : "GET " + key + "\r\n");
                default -> pipeline.append(set ?
                    "{\"cmd\":\"set\",\"key\":\"" + key + "\",\"value\":\"" + value + "\"}\n" :
                    "{\"cmd\":\"get\",\"key\":\"" + key + "\"}\n");
            }
        }
        final byte[] bytes = pipeline.toString().getBytes(StandardCharsets.US_ASCII);
        readBuffer = new ReadBuffer(ReadBuffer.INITIAL_CAPACITY_DEFAULT, ReadBuffer.CLIENT_QUERY_BUFFER_LIMIT_DEFAULT);
        readBuffer.append(bytes, 0, bytes.length);
        final ReplyBuffer output = new ReplyBuffer(ReplyBuffer.INITIAL_CAPACITY_DEFAULT);
        if ("json".equals(format))
        {
            parser = new JsonLineParser(table);
            batch = new RequestBatch(session, new JsonLineReply(table, output));
        }
        else
        {
            parser = new RespParser();
            batch = new RequestBatch(session, new RespReply(session, output));
        }
        parse();
        if (batch.requestCount() != 16 || parser.consumed() != bytes.length)
        {
            throw new IllegalStateException("expected 16 requests");
        }
    }

    /**
     * @return a value depending on the whole parse, for the blackhole.
     */
    @Benchmark
    public int parse()
    {
        final int status = parser.parse(readBuffer.buffer(), 0, readBuffer.limit(), batch);
        return status + batch.requestCount() + parser.consumed();
    }
}
