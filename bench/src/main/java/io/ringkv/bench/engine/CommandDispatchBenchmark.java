package io.ringkv.bench.engine;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.engine.CommandEvent;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of one command without the ring: table lookup, checks, handler, keyspace and change record, on the
 * benchmark thread. The difference to {@link EngineRoundTripBenchmark} is the price of the ring hand-off.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"})
@State(Scope.Thread)
public class CommandDispatchBenchmark
{
    @Param({"GET", "SET", "INCR"})
    public String command;

    private Keyspace keyspace;
    private CommandDispatcher dispatcher;
    private ChangeLog changeLog;
    private final CommandEvent event = new CommandEvent();
    private final CommandArgs args = new CommandArgs();
    private final ClientSession session = new ClientSession(1, true);
    private final CountingReply reply = new CountingReply();
    private RequestBatch batch;
    private int next;

    @Setup(Level.Trial)
    public void setUp()
    {
        keyspace = new Keyspace(new StoreConfig());
        final CommandTable table = CoreCommands.newTable();
        changeLog = new ChangeLog(0);
        dispatcher = new CommandDispatcher(table,
            new CommandContext(keyspace, changeLog, table, EngineConfig.MAX_STRING_LENGTH_DEFAULT));
        if (!command.equals("INCR"))
        {
            final RequestBatch preload = new RequestBatch(session, reply);
            new RequestTemplate("SET").fill(preload, RequestTemplate.KEYS);
            runAll(preload);
        }
        batch = new RequestBatch(session, reply);
        new RequestTemplate(command).fill(batch, RequestTemplate.KEYS);
    }

    private void runAll(final RequestBatch requests)
    {
        for (int i = 0; i < requests.requestCount(); i++)
        {
            changeLog.begin(event.changeArea());
            dispatcher.dispatch(args.wrap(requests, i), session, System.currentTimeMillis(), reply);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (reply.errors != 0)
        {
            throw new IllegalStateException(reply.errors + " commands failed");
        }
        keyspace.close();
    }

    @Benchmark
    public long dispatch()
    {
        final int i = next;
        next = (i + 1) & (RequestTemplate.KEYS - 1);
        changeLog.begin(event.changeArea());
        dispatcher.dispatch(args.wrap(batch, i), session, 1_700_000_000_000L, reply);
        return reply.replies;
    }
}
