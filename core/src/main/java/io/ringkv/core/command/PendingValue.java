package io.ringkv.core.command;

import io.ringkv.core.json.JsonDocuments;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.DirectBuffer;

/**
 * A value argument made ready to store, by its request's value kind: raw bytes stay a raw string; a JSON
 * integer that fits in 64 bits becomes an integer-encoded string; any other JSON value is validated and
 * compacted into a json document. Prepare it before changing anything, so that bad JSON changes nothing.
 * <p>
 * Only the engine thread uses it; one per family class use, held by the context.
 */
final class PendingValue
{
    /** {@link #prepare} result: the argument is not valid JSON; the error was replied. */
    static final int INVALID = -2;

    private byte type;
    private byte encoding;
    private DirectBuffer buffer;
    private int offset;
    private int length;
    private long intValue;

    /**
     * @param context the command's context.
     * @param args    the request.
     * @param i       index of the value argument.
     * @param reply   for the error when the value is invalid JSON or too long.
     * @return the value's stored length, or {@link #INVALID} after replying the error.
     */
    int prepare(final CommandContext context, final CommandArgs args, final int i, final Reply reply)
    {
        final DirectBuffer argBuffer = args.buffer();
        final int argOffset = args.offset(i);
        final int argLength = args.length(i);
        final byte kind = args.valueKind();
        if (argLength > context.maxStringLength())
        {
            // Reached only when the protocol let in a longer argument than a command may store.
            reply.error(ErrorMessages.STRING_TOO_LONG);
            return INVALID;
        }
        if (kind == ParsedRequests.VALUE_INTEGER && context.numbers().parseLong(argBuffer, argOffset, argLength))
        {
            type = ValueType.STRING;
            encoding = ValueEncoding.STRING_INT;
            intValue = context.numbers().value();
            length = StringValues.INT_LENGTH;
            return length;
        }
        if (kind == ParsedRequests.VALUE_JSON || kind == ParsedRequests.VALUE_INTEGER)
        {
            final JsonDocuments json = context.jsonDocuments();
            final int compactLength = json.compact(argBuffer, argOffset, argLength);
            if (compactLength == JsonDocuments.INVALID)
            {
                reply.error("ERR value is not valid JSON: " + json.lastError());
                return INVALID;
            }
            type = ValueType.JSON;
            encoding = ValueEncoding.JSON_TEXT;
            buffer = json.compacted();
            offset = 0;
            length = compactLength;
            return length;
        }
        type = ValueType.STRING;
        encoding = ValueEncoding.STRING_RAW;
        buffer = argBuffer;
        offset = argOffset;
        length = argLength;
        return length;
    }

    /**
     * Store the prepared value under a key, replacing what was there.
     *
     * @return the new entry's address, or {@link Keyspace#OUT_OF_MEMORY}.
     */
    long store(final CommandContext context, final int db, final DirectBuffer key, final int keyOffset,
        final int keyLength, final long expireAtMs)
    {
        final long address = context.keyspace().put(db, key, keyOffset, keyLength, type, encoding, length, expireAtMs);
        if (address == Keyspace.OUT_OF_MEMORY)
        {
            return address;
        }
        final EntryFlyweight entry = context.entry().wrap(address);
        if (encoding == ValueEncoding.STRING_INT && type == ValueType.STRING)
        {
            entry.buffer().putLong(entry.valueOffset(), intValue, StringValues.INT_ORDER);
        }
        else
        {
            StringValues.putValueBytes(entry, 0, buffer, offset, length);
        }
        return address;
    }
}
