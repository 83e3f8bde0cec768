package io.ringkv.core.command;

import com.lmax.disruptor.EventHandler;
import io.ringkv.core.engine.CommandEvent;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * A real engine over a real keyspace with a manual clock, and one client connection that sends requests and
 * reads their transcripts. Tests own it and close it.
 */
public final class EngineHarness implements AutoCloseable
{
    public static final long START_MS = 1_700_000_000_000L;

    public final AtomicLong clockMs = new AtomicLong(START_MS);
    public final Keyspace keyspace;
    public final CommandTable commands = CoreCommands.newTable();
    public final Engine engine;
    public final ClientSession session = new ClientSession(1, true);
    public final TranscriptReply reply;
    public final RequestBatch batch;
    private final UnsafeBuffer argBuffer = new UnsafeBuffer(new byte[8 << 20]);

    public EngineHarness()
    {
        this(new StoreConfig(), false, List.of());
    }

    public EngineHarness(final StoreConfig storeConfig, final boolean distinguishKinds,
        final List<EventHandler<CommandEvent>> afterEngine)
    {
        this(storeConfig, distinguishKinds, afterEngine, UnaryOperator.identity());
    }

    /**
     * @param engineConfig adjusts the harness's engine configuration (e.g. the largest string).
     */
    public EngineHarness(final StoreConfig storeConfig, final boolean distinguishKinds,
        final List<EventHandler<CommandEvent>> afterEngine, final UnaryOperator<EngineConfig> engineConfig)
    {
        keyspace = new Keyspace(storeConfig);
        engine = new Engine(engineConfig.apply(new EngineConfig().ringSize(256).tickIntervalMs(0).clock(clockMs::get)),
            keyspace, commands, afterEngine);
        engine.start();
        reply = new TranscriptReply(distinguishKinds);
        batch = new RequestBatch(session, reply);
    }

    /**
     * Run one RESP-style request and return its reply transcript.
     */
    public String exec(final String... args)
    {
        return execKind(RequestBatch.VALUE_RAW, args);
    }

    public String execKind(final byte valueKind, final String... args)
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
    public List<String> pipeline(final String[]... requests)
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
        return addRequest(batch, argBuffer, start, valueKind, args);
    }

    /**
     * Appends one request to a batch whose arguments live in {@code argBuffer} (the buffer the batch was reset
     * with): each word's ISO-8859-1 bytes go at {@code start} onwards.
     *
     * @return the position after the request's last byte, where the next request starts.
     */
    public static int addRequest(final RequestBatch batch, final MutableDirectBuffer argBuffer, final int start,
        final byte valueKind, final String... words)
    {
        int position = start;
        for (final String word : words)
        {
            final byte[] bytes = word.getBytes(StandardCharsets.ISO_8859_1);
            argBuffer.putBytes(position, bytes);
            batch.addArg(position, bytes.length);
            position += bytes.length;
        }
        batch.endRequest(valueKind);
        return position;
    }

    public void advanceMs(final long ms)
    {
        clockMs.addAndGet(ms);
    }

    public long nowMs()
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
