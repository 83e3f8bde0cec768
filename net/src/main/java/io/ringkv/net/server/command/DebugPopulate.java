package io.ringkv.net.server.command;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * DEBUG POPULATE count [prefix] [size], with Redis 7.0's semantics: string keys {@code prefix:N} (prefix "key") for N
 * from 0 to count-1, each valued {@code value:N}, or, with a size, exactly size bytes beginning with as much of
 * {@code value:N} as fits and zeros after; a key that exists is left as it is. Key and value texts are cut at 127
 * bytes as Redis's 128-byte buffer cuts them. The database's table is sized for the keys first. As in Redis the keys
 * are not propagated (no change records: 10M keys in one command would be one 10M-record slot), so replicas and the
 * AOF do not see them; it is how people and scripts fill a server fast.
 * <p>
 * Engine thread only; the two buffers are reused, nothing is allocated per key.
 */
final class DebugPopulate
{
    private static final String NOT_POSITIVE = "ERR value is out of range, must be positive";
    private static final int TEXT_LIMIT = 127;

    private final UnsafeBuffer key = new UnsafeBuffer(new byte[TEXT_LIMIT + 21]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[TEXT_LIMIT + 21]);

    void populate(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        final AsciiNumbers numbers = context.numbers();
        final int count = args.count();
        if (!numbers.parseLong(args, 2) || numbers.value() < 0)
        {
            reply.error(NOT_POSITIVE);
            return;
        }
        final long keys = numbers.value();
        long size = 0;
        if (count == 5)
        {
            if (!numbers.parseLong(args, 4) || numbers.value() < 0)
            {
                reply.error(NOT_POSITIVE);
                return;
            }
            size = numbers.value();
            if (size > context.maxStringLength())
            {
                reply.error(ErrorMessages.STRING_TOO_LONG);
                return;
            }
        }
        int prefixLength = 3;
        key.putStringWithoutLengthAscii(0, "key");
        if (count >= 4)
        {
            prefixLength = Math.min(args.length(3), TEXT_LIMIT);
            key.putBytes(0, args.buffer(), args.offset(3), prefixLength);
        }
        key.putByte(prefixLength, (byte)':');
        value.putStringWithoutLengthAscii(0, "value:");
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        keyspace.reserve(db, keyspace.size(db) + keys);
        final EntryFlyweight entry = context.entry();
        for (long j = 0; j < keys; j++)
        {
            final int keyLength = Math.min(prefixLength + 1 + key.putLongAscii(prefixLength + 1, j), TEXT_LIMIT);
            if (keyspace.find(db, key, 0, keyLength, context.nowMs()) != Keyspace.NOT_FOUND)
            {
                continue;
            }
            final int textLength = Math.min(6 + value.putLongAscii(6, j), TEXT_LIMIT);
            final int valueLength = size == 0 ? textLength : (int)size;
            final long address = keyspace.put(db, key, 0, keyLength, ValueType.STRING, ValueEncoding.STRING_RAW,
                valueLength, 0);
            if (address == Keyspace.OUT_OF_MEMORY)
            {
                reply.error(ErrorMessages.OOM);
                return;
            }
            entry.wrap(address);
            final int copied = Math.min(textLength, valueLength);
            entry.buffer().putBytes(entry.valueOffset(), value, 0, copied);
            if (valueLength > copied)
            {
                entry.buffer().setMemory(entry.valueOffset() + copied, valueLength - copied, (byte)0);
            }
        }
        reply.ok();
    }
}
