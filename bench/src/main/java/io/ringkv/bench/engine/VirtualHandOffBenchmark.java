package io.ringkv.bench.engine;

import io.ringkv.bench.LockstepClients;
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
 * The server's hand-off, as the server runs it: connections are virtual threads on one carrier with the engine (a
 * virtual thread too, {@code ParkingWaitStrategy}); each publishes a one-request batch and parks until the engine
 * completes it. No sockets: what is left is the ring, the dispatch and the virtual-thread park/unpark on both sides,
 * so the score is the cost of one hand-off round trip and {@code -prof gc} shows what the JDK allocates for it
 * (continuation stack chunks, scheduler tasks). Compare collectors with {@code -jvmArgsPrepend -XX:+UseG1GC}.
 * <pre>
 *   bin/ringkv bench VirtualHandOffBenchmark -prof gc -f 1 -wi 2 -i 3
 * </pre>
 * The JMH thread only starts each invocation's {@value #ROUND_TRIPS} round trips and waits for them once, so its own
 * (platform-to-virtual) wake-ups are spread over that many operations.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.readPollers=1"})
@State(Scope.Benchmark)
public class VirtualHandOffBenchmark
{
    static final int ROUND_TRIPS = 4096;

    /** Connections sharing the carrier; each runs ROUND_TRIPS / connections round trips per invocation. */
    @Param({"1", "16", "64"})
    public int connections;

    @Param({"GET", "SET"})
    public String command;

    private Keyspace keyspace;
    private Engine engine;
    private LockstepClients clients;
    private CountingReply[] replies;

    @Setup(Level.Trial)
    public void setUp()
    {
        keyspace = new Keyspace(new StoreConfig());
        engine = new Engine(new EngineConfig().waitStrategy("parking").threadKind("virtual"), keyspace,
            CoreCommands.newTable(), List.of());
        engine.start();
        final RequestBatch preload = new RequestBatch(new ClientSession(0, true), new CountingReply());
        new RequestTemplate("SET").fill(preload, RequestTemplate.KEYS);
        engine.execute(preload);

        replies = new CountingReply[connections];
        final int roundTrips = ROUND_TRIPS / connections;
        clients = new LockstepClients(connections, c ->
        {
            final CountingReply reply = new CountingReply();
            replies[c] = reply;
            final RequestTemplate template = new RequestTemplate(command);
            final RequestBatch batch = new RequestBatch(new ClientSession(1, true), reply);
            return () ->
            {
                for (int i = 0; i < roundTrips; i++)
                {
                    template.fill(batch, 1);
                    engine.execute(batch);
                }
            };
        });
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException
    {
        clients.close();
        engine.close();
        keyspace.close();
        for (final CountingReply reply : replies)
        {
            if (reply.errors != 0)
            {
                throw new IllegalStateException(reply.errors + " commands failed");
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrip()
    {
        clients.runRound();
    }
}
