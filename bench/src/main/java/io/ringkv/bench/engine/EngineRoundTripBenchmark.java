package io.ringkv.bench.engine;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Round trip of commands through the engine's ring: a connection fills a {@link RequestBatch}, publishes it with
 * one claim, and waits once for the engine thread to execute it. Scores are commands per second ({@code batch16}
 * counts each of its 16 commands). Run with {@code -t N} for N concurrent connections and with
 * {@code -p waitStrategy=busy-spin,blocking,...} and {@code -p threadKind=platform,virtual} to compare wait
 * strategies and engine threads; {@code -prof gc} shows B/op. JMH's threads are platform threads, so this measures
 * the hand-off from a platform thread; the server's connections are virtual threads on the engine's carrier, which
 * redis-benchmark measures end to end (docs/benchmarks.md).
 * <pre>
 *   JMH thread(s) = connections ──execute(batch)──▶ ring ──▶ ringkv-engine ──▶ Keyspace
 *                         ▲                                        │
 *                         └──────────── complete(): unpark ◀───────┘
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
public class EngineRoundTripBenchmark
{
    /**
     * The engine and its keyspace, preloaded with the keys GET reads.
     */
    @State(Scope.Benchmark)
    public static class EngineState
    {
        @Param({"phased-backoff", "parking"})
        public String waitStrategy;

        /** platform: the engine on its own OS thread; virtual: on the virtual-thread scheduler, as the server runs it. */
        @Param({"platform", "virtual"})
        public String threadKind;

        Keyspace keyspace;
        Engine engine;

        @Setup(Level.Trial)
        public void setUp()
        {
            keyspace = new Keyspace(new StoreConfig());
            engine = new Engine(new EngineConfig().waitStrategy(waitStrategy).threadKind(threadKind), keyspace,
                CoreCommands.newTable(), List.of());
            engine.start();
            final RequestTemplate set = new RequestTemplate("SET");
            final RequestBatch preload = new RequestBatch(new ClientSession(0, true), new CountingReply());
            set.fill(preload, RequestTemplate.KEYS);
            engine.execute(preload);
        }

        @TearDown(Level.Trial)
        public void tearDown()
        {
            engine.close();
            keyspace.close();
        }
    }

    /**
     * One connection: its batch, reply sink and pre-encoded requests.
     */
    @State(Scope.Thread)
    public static class Connection
    {
        @Param({"GET", "SET"})
        public String command;

        RequestTemplate template;
        CountingReply reply;
        RequestBatch batch;

        @Setup(Level.Trial)
        public void setUp()
        {
            template = new RequestTemplate(command);
            reply = new CountingReply();
            batch = new RequestBatch(new ClientSession(1, true), reply);
        }

        @TearDown(Level.Trial)
        public void check()
        {
            if (reply.errors != 0)
            {
                throw new IllegalStateException(reply.errors + " commands failed");
            }
        }
    }

    @Benchmark
    public long single(final EngineState engine, final Connection connection)
    {
        connection.template.fill(connection.batch, 1);
        engine.engine.execute(connection.batch);
        return connection.reply.replies;
    }

    @Benchmark
    @OperationsPerInvocation(16)
    public long batch16(final EngineState engine, final Connection connection)
    {
        connection.template.fill(connection.batch, 16);
        engine.engine.execute(connection.batch);
        return connection.reply.replies;
    }
}
