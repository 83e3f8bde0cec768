package io.ringkv.core.command;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real engine over a real keyspace with a manual clock, and one client connection that sends requests and
 * reads their transcripts. Tests own it and close it.
 */
final class EngineHarness implements AutoCloseable
{
    static final long START_MS = 1_700_000_000_000L;

    final AtomicLong clockMs = new AtomicLong(START_MS);
    final Keyspace keyspace;
    final CommandTable commands = CoreCommands.newTable();
    final Engine engine;
    final ClientSession session = new ClientSession(1, true);
    final TranscriptReply reply;
    final RequestBatch batch;
    private final UnsafeBuffer argBuffer = new UnsafeBuffer(new byte[8 << 20]);

    EngineHarness()
    {
        this(new StoreConfig(), false, List.of());
    }

    EngineHarness(final StoreConfig storeConfig, final boolean distinguishKinds,
        final List<EventHandler<CommandEvent>> afterEngine)
    {
        keyspace = new Keyspace(storeConfig);
        engine = new Engine(new EngineConfig().ringSize(256).tickIntervalMs(0).clock(clockMs::get),
            keyspace, commands, afterEngine);
        engine.start();
        reply = new TranscriptReply(distinguishKinds);
        batch = new RequestBatch(session, reply);
    }

    /**
     * Run one RESP-style request and return its reply transcript.
     */
    String exec(final String... args)
    {
        return execKind(RequestBatch.VALUE_RAW, args);
    }

    String execKind(final byte valueKind, final String... args)
    {
        reply.clear();
        batch.reset(argBuffer);
        add(0, valueKind, args);
        engine.execute(batch);
        return reply.replies().get(0);
    }

    /**
     * Run several requests as one pipelined batch.
     */
    List<String> pipeline(final String[]... requests)
    {
        reply.clear();
        batch.reset(argBuffer);
        int position = 0;
        for (final String[] request : requests)
        {
            position = add(position, RequestBatch.VALUE_RAW, request);
        }
        engine.execute(batch);
        return List.copyOf(reply.replies());
    }

    private int add(final int start, final byte valueKind, final String... args)
    {
        int position = start;
        for (final String arg : args)
        {
            final byte[] bytes = arg.getBytes(StandardCharsets.ISO_8859_1);
            argBuffer.putBytes(position, bytes);
            batch.addArg(position, bytes.length);
            position += bytes.length;
        }
        batch.endRequest(valueKind);
        return position;
    }

    void advanceMs(final long ms)
    {
        clockMs.addAndGet(ms);
    }

    long nowMs()
    {
        return clockMs.get();
    }

    @Override
    public void close()
    {
        engine.close();
        keyspace.close();
    }
}
