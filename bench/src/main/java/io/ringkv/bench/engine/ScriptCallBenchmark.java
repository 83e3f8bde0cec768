package io.ringkv.bench.engine;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandDispatcher;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.script.ScriptCommands;
import io.ringkv.core.script.ScriptEngine;
import io.ringkv.core.script.ScriptRunState;
import io.ringkv.core.script.Sha1;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
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
import java.util.concurrent.TimeUnit;

/**
 * Cost of a {@code redis.call} crossing: EVALSHA of a cached script through the dispatcher on the benchmark thread
 * (no ring, no socket), for a script that calls nothing ({@code return 1}), one GET and ten GETs of a 32-byte value.
 * The difference between {@code get10} and {@code get1}, over nine, is one call from Lua into the command and its
 * reply back into Lua; {@code get1} minus {@code return1} adds the reply's trip out of the script.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED"})
@State(Scope.Thread)
public class ScriptCallBenchmark
{
    private static final String KEY = "key:1";

    @Param({"return1", "get1", "get10"})
    public String script;

    private Keyspace keyspace;
    private ScriptEngine scripts;
    private CommandDispatcher dispatcher;
    private ChangeLog changeLog;
    private final CommandEvent event = new CommandEvent();
    private final CommandArgs args = new CommandArgs();
    private final ClientSession session = new ClientSession(1, true);
    private final CountingReply reply = new CountingReply();
    private RequestBatch evalsha;

    @Setup(Level.Trial)
    public void setUp()
    {
        keyspace = new Keyspace(new StoreConfig());
        final CommandTable table = CoreCommands.newTable();
        scripts = new ScriptEngine(new ScriptRunState(), "7.0.15");
        ScriptCommands.register(table, scripts);
        changeLog = new ChangeLog(0);
        dispatcher = new CommandDispatcher(table,
            new CommandContext(keyspace, changeLog, table, EngineConfig.MAX_STRING_LENGTH_DEFAULT));
        final String body = switch (script)
        {
            case "return1" -> "return 1";
            case "get1" -> "return redis.call('get', KEYS[1])";
            case "get10" -> "local v for i = 1, 10 do v = redis.call('get', KEYS[1]) end return v";
            default -> throw new IllegalArgumentException(script);
        };
        run(request("SET", KEY, "v".repeat(RequestTemplate.VALUE_LENGTH)));
        run(request("SCRIPT", "LOAD", body));
        final byte[] source = body.getBytes(StandardCharsets.US_ASCII);
        evalsha = request("EVALSHA", Sha1.hex(source, 0, source.length), "1", KEY);
        if (reply.errors != 0)
        {
            throw new IllegalStateException("setup failed");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        if (reply.errors != 0)
        {
            throw new IllegalStateException(reply.errors + " commands failed");
        }
        scripts.close();
        keyspace.close();
    }

    @Benchmark
    public long evalsha()
    {
        run(evalsha);
        return reply.replies;
    }

    private void run(final RequestBatch request)
    {
        changeLog.begin(event.changeArea());
        dispatcher.dispatch(args.wrap(request, 0), session, 1_700_000_000_000L, reply);
    }

    private RequestBatch request(final String... words)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final RequestBatch batch = new RequestBatch(session, reply);
        batch.reset(buffer);
        int position = 0;
        for (final String word : words)
        {
            final byte[] bytes = word.getBytes(StandardCharsets.US_ASCII);
            buffer.putBytes(position, bytes);
            batch.addArg(position, bytes.length);
            position += bytes.length;
        }
        batch.endRequest(RequestBatch.VALUE_RAW);
        return batch;
    }
}
