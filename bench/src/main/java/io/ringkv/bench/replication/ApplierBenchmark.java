package io.ringkv.bench.replication;

import io.ringkv.core.command.ClientSession;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.replication.replica.MasterStreamApplier;
import org.agrona.ExpandableArrayBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * A replica's cost to turn one master log line into a command, without the engine: what {@code MasterLink} does
 * per message on its thread (parse and check the JSON, build SET's arguments, write the acknowledgement) for the
 * line a {@code redis-benchmark -t set -d 32} SET becomes.
 * <pre>
 *   {"cmd":"log","operation":"set","key":"key:000000123456","value":"xxx...32","offset":N} -> SET key value
 * </pre>
 * Run: {@code java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main ApplierBenchmark -prof gc}
 * (goal: 0 B/op).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {"-Xmx256m", "-XX:+UseZGC", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class ApplierBenchmark
{
    private static final String LINE_START =
        "{\"cmd\":\"log\",\"operation\":\"set\",\"key\":\"key:000000123456\",\"value\":\"" + "x".repeat(32) +
        "\",\"offset\":";
    private static final int MESSAGES_PER_BATCH = 1024;

    private final ExpandableArrayBuffer line = new ExpandableArrayBuffer(256);
    private CommandBatchBuilder commands;
    private MasterStreamApplier applier;
    private int lineStart;
    private long offset;
    private int inBatch;

    @Setup
    public void setup()
    {
        commands = new CommandBatchBuilder(new ClientSession(-1, true), new ApplyReply());
        applier = new MasterStreamApplier(commands);
        applier.position("8de1c5a1e1a2b7c9d1e2f3a4b5c6d7e8f9a0b1c2", 0);
        lineStart = line.putStringWithoutLengthAscii(0, LINE_START);
    }

    @Benchmark
    public int applySetLine()
    {
        int end = lineStart + line.putLongAscii(lineStart, ++offset);
        line.putByte(end++, (byte)'}');
        final int status = applier.apply(line, 0, end);
        if (++inBatch == MESSAGES_PER_BATCH)
        {
            // As a commit does, without the engine: forget the built commands and the acknowledgements.
            commands.rollback(0);
            applier.committed();
            applier.acks().reset();
            inBatch = 0;
        }
        return status;
    }
}
