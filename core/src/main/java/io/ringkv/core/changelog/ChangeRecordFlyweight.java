package io.ringkv.core.changelog;

import org.agrona.DirectBuffer;

import static io.ringkv.core.changelog.ChangeRecordDescriptor.*;

/**
 * Reads one change record laid out by {@link ChangeRecordDescriptor}. Reusable: wrap it at each record in turn.
 * Not threadsafe; a consumer owns its own flyweight.
 * <pre>
 *   final DirectBuffer changes = event.changes();
 *   for (int index = 0; index &lt; event.changesLength(); index += record.recordLength())
 *   {
 *       record.wrap(changes, index);
 *       apply(record.op(), record.db(), ...);
 *   }
 * </pre>
 */
public final class ChangeRecordFlyweight
{
    private DirectBuffer buffer;
    private int index;

    /**
     * @param buffer holding records.
     * @param index  of the record's first byte.
     * @return this.
     */
    public ChangeRecordFlyweight wrap(final DirectBuffer buffer, final int index)
    {
        this.buffer = buffer;
        this.index = index;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int index()
    {
        return index;
    }

    public int recordLength()
    {
        return buffer.getInt(index + RECORD_LENGTH_OFFSET);
    }

    public byte op()
    {
        return buffer.getByte(index + OP_OFFSET);
    }

    public byte type()
    {
        return buffer.getByte(index + TYPE_OFFSET);
    }

    public byte encoding()
    {
        return buffer.getByte(index + ENCODING_OFFSET);
    }

    public byte flags()
    {
        return buffer.getByte(index + FLAGS_OFFSET);
    }

    public int db()
    {
        return buffer.getShort(index + DB_OFFSET);
    }

    public int targetDb()
    {
        return buffer.getShort(index + TARGET_DB_OFFSET);
    }

    public long replicationOffset()
    {
        return buffer.getLong(index + REPLICATION_OFFSET_OFFSET);
    }

    public long expireAtMs()
    {
        return buffer.getLong(index + EXPIRE_AT_MS_OFFSET);
    }

    public long argument()
    {
        return buffer.getLong(index + ARGUMENT_OFFSET);
    }

    public int keyOffset()
    {
        return index + HEADER_LENGTH;
    }

    public int keyLength()
    {
        return buffer.getInt(index + KEY_LENGTH_OFFSET);
    }

    public int valueOffset()
    {
        return index + HEADER_LENGTH + keyLength();
    }

    public int valueLength()
    {
        return buffer.getInt(index + VALUE_LENGTH_OFFSET);
    }

    @Override
    public String toString()
    {
        final byte[] key = new byte[keyLength()];
        buffer.getBytes(keyOffset(), key);
        return "#" + replicationOffset() + ' ' + opName(op()) + " db=" + db() + " key=" +
            new String(key, java.nio.charset.StandardCharsets.ISO_8859_1) + " valueLength=" + valueLength() +
            " expireAtMs=" + expireAtMs() + " argument=" + argument();
    }
}
