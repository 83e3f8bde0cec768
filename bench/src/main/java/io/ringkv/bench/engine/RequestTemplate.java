package io.ringkv.bench.engine;

import io.ringkv.core.engine.RequestBatch;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Pre-encoded arguments of GET key:i / SET key:i value requests over a fixed key range, laid out in one buffer the
 * way a parser leaves them in its read buffer, so that filling a {@link RequestBatch} only records slices.
 * Not threadsafe: one per benchmark thread.
 */
final class RequestTemplate
{
    static final int KEYS = 1024;
    static final int VALUE_LENGTH = 32;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
    private final int nameOffset;
    private final int nameLength;
    private final int[] keyOffsets = new int[KEYS];
    private final int[] keyLengths = new int[KEYS];
    private final int valueOffset;
    private final boolean set;
    private int next;

    /**
     * @param command "GET" or "SET".
     */
    RequestTemplate(final String command)
    {
        set = command.equals("SET");
        int position = 0;
        final byte[] name = command.getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(position, name);
        nameOffset = position;
        nameLength = name.length;
        position += name.length;
        for (int i = 0; i < KEYS; i++)
        {
            final byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            buffer.putBytes(position, key);
            keyOffsets[i] = position;
            keyLengths[i] = key.length;
            position += key.length;
        }
        valueOffset = position;
        buffer.setMemory(valueOffset, VALUE_LENGTH, (byte)'v');
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * Append {@code count} requests to {@code batch}, cycling through the keys.
     */
    void fill(final RequestBatch batch, final int count)
    {
        batch.reset(buffer);
        for (int i = 0; i < count; i++)
        {
            final int key = next;
            next = (key + 1) & (KEYS - 1);
            batch.addArg(nameOffset, nameLength);
            batch.addArg(keyOffsets[key], keyLengths[key]);
            if (set)
            {
                batch.addArg(valueOffset, VALUE_LENGTH);
            }
            batch.endRequest(RequestBatch.VALUE_RAW);
        }
    }
}
