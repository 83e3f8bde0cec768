package io.ringkv.core.store;

import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

import static io.ringkv.core.store.EntryDescriptor.DATABASE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_OFFSET;

/**
 * The keys one command changed or may have changed, and the databases it flushed, while the {@link Keyspace}
 * tracks them ({@link Keyspace#trackTouchedKeys(boolean)}): every key put, resized, deleted, re-typed or
 * re-encoded, whose expiry changed, or that a write command looked up (it may edit the value in place). A
 * dispatcher whose handler failed half way logs the current state of these keys, so that what the command applied
 * reaches the change log even though the handler never logged it.
 * <p>
 * Layout: records of {@code db (short) | key length (int) | key bytes}, back to back. A key touched twice in a
 * row is kept once. The buffer grows with the command (a command names the keys it touches, so it stays about as
 * large as the request) and is given back after a large one. Only the engine thread uses this.
 */
public final class TouchedKeys
{
    private static final int DB_OFFSET = 0;
    private static final int KEY_LENGTH_FIELD_OFFSET = Short.BYTES;
    private static final int HEADER_LENGTH = Short.BYTES + Integer.BYTES;
    private static final int INITIAL_CAPACITY = 256;
    private static final int RETAINED_CAPACITY = 64 * 1024;

    private ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
    private final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    private final boolean[] flushed;
    private int length;
    private int lastIndex = -1;
    private boolean anyFlushed;

    TouchedKeys(final int databases)
    {
        flushed = new boolean[databases];
    }

    /**
     * Forget everything tracked so far.
     */
    void clear()
    {
        if (buffer.capacity() > RETAINED_CAPACITY)
        {
            buffer = new ExpandableArrayBuffer(INITIAL_CAPACITY);
        }
        length = 0;
        lastIndex = -1;
        if (anyFlushed)
        {
            Arrays.fill(flushed, false);
            anyFlushed = false;
        }
    }

    void add(final int db, final DirectBuffer key, final int keyOffset, final int keyLength)
    {
        add(db, key.byteArray(), key.addressOffset() + keyOffset, keyLength);
    }

    /**
     * @param entryAddress an entry whose key (in its own database) is touched.
     */
    void add(final long entryAddress)
    {
        add(UnsafeApi.getByte(entryAddress + DATABASE_OFFSET) & EntryDescriptor.DATABASE_MASK, null,
            entryAddress + KEY_OFFSET, UnsafeApi.getInt(entryAddress + KEY_LENGTH_OFFSET));
    }

    void markFlushed(final int db)
    {
        flushed[db] = true;
        anyFlushed = true;
    }

    void markAllFlushed()
    {
        Arrays.fill(flushed, true);
        anyFlushed = true;
    }

    private void add(final int db, final Object base, final long address, final int keyLength)
    {
        if (lastIndex >= 0 && sameAsLast(db, base, address, keyLength))
        {
            return;
        }
        final ExpandableArrayBuffer buffer = this.buffer;
        final int index = length;
        buffer.checkLimit(index + HEADER_LENGTH + keyLength);
        buffer.putShort(index + DB_OFFSET, (short)db);
        buffer.putInt(index + KEY_LENGTH_FIELD_OFFSET, keyLength);
        UnsafeApi.copyMemory(base, address, buffer.byteArray(), buffer.addressOffset() + index + HEADER_LENGTH,
            keyLength);
        lastIndex = index;
        length = index + HEADER_LENGTH + keyLength;
    }

    private boolean sameAsLast(final int db, final Object base, final long address, final int keyLength)
    {
        final ExpandableArrayBuffer buffer = this.buffer;
        if (buffer.getShort(lastIndex + DB_OFFSET) != db ||
            buffer.getInt(lastIndex + KEY_LENGTH_FIELD_OFFSET) != keyLength)
        {
            return false;
        }
        final byte[] bytes = buffer.byteArray();
        final long lastKey = buffer.addressOffset() + lastIndex + HEADER_LENGTH;
        for (int i = 0; i < keyLength; i++)
        {
            if (UnsafeApi.getByte(base, address + i) != UnsafeApi.getByte(bytes, lastKey + i))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param db database index.
     * @return true when the tracked command emptied the database (its keys are then not listed one by one).
     */
    public boolean isFlushed(final int db)
    {
        return anyFlushed && flushed[db];
    }

    /**
     * Give each touched key, in the order first touched, to {@code visitor}; a key touched several times may come
     * more than once. The key bytes are valid only during the call.
     *
     * @param visitor told the database and key of each.
     */
    public void forEach(final KeyVisitor visitor)
    {
        final UnsafeBuffer key = this.key;
        for (int index = 0; index < length; )
        {
            final int db = buffer.getShort(index + DB_OFFSET);
            final int keyLength = buffer.getInt(index + KEY_LENGTH_FIELD_OFFSET);
            key.wrap(buffer, index + HEADER_LENGTH, keyLength);
            visitor.visit(db, key, 0, keyLength);
            index += HEADER_LENGTH + keyLength;
        }
    }

    /**
     * Receives touched keys from {@link #forEach(KeyVisitor)}.
     */
    @FunctionalInterface
    public interface KeyVisitor
    {
        /**
         * @param db        the key's database.
         * @param key       buffer holding the key.
         * @param keyOffset of the key.
         * @param keyLength of the key.
         */
        void visit(int db, DirectBuffer key, int keyOffset, int keyLength);
    }
}
