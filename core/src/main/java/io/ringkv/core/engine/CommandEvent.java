package io.ringkv.core.engine;

import io.ringkv.core.changelog.ChangeArea;
import io.ringkv.core.changelog.ChangeRecordDescriptor;
import org.agrona.DirectBuffer;

/**
 * One slot of the engine's ring: either one request of a connection's {@link RequestBatch} (referred to by
 * batch and index, never copied) or a TICK for background work. Created up front by the ring and reused.
 * <p>
 * After the engine has executed the slot it holds the change records of what that execution applied
 * (see {@link ChangeRecordDescriptor}); consumers gated behind the engine read them through
 * {@link #changes()} and {@link #changesLength()}. Those consumers must not touch {@link #batch()}: the
 * connection owns its batch again as soon as the engine completes it.
 * <p>
 * Publishers write the request fields before publishing; the engine thread writes the change area; gated
 * consumers read it. The ring's sequences order these accesses, so the fields are plain.
 */
public final class CommandEvent
{
    /** Slot not yet used. */
    public static final byte TYPE_NONE = 0;
    /** A request of a connection's batch. */
    public static final byte TYPE_REQUEST = 1;
    /** A timer tick: active expiry and rehash steps run on the engine thread. */
    public static final byte TYPE_TICK = 2;
    /** Background work a component asked for ({@link Engine#requestTask()}), e.g. a snapshot step. */
    public static final byte TYPE_TASK = 3;
    /** A connection that went away while its batch is blocked (BLPOP...): the engine releases the batch. */
    public static final byte TYPE_RELEASE = 4;
    /** A loader's sizing hint (RESIZEDB): the engine grows a database's table for that many keys at once. */
    public static final byte TYPE_RESERVE = 5;

    byte type;
    RequestBatch batch;
    int requestIndex;
    boolean firstOfChunk;
    boolean lastOfBatch;
    int reserveDb;
    long reserveKeys;

    private final ChangeArea changes = new ChangeArea();

    void request(final RequestBatch batch, final int requestIndex, final boolean firstOfChunk,
        final boolean lastOfBatch)
    {
        this.type = TYPE_REQUEST;
        this.batch = batch;
        this.requestIndex = requestIndex;
        this.firstOfChunk = firstOfChunk;
        this.lastOfBatch = lastOfBatch;
    }

    void tick()
    {
        this.type = TYPE_TICK;
        this.batch = null;
        this.requestIndex = 0;
        this.firstOfChunk = true;
        this.lastOfBatch = false;
    }

    void release(final RequestBatch batch)
    {
        this.type = TYPE_RELEASE;
        this.batch = batch;
        this.requestIndex = 0;
        this.firstOfChunk = true;
        this.lastOfBatch = false;
    }

    void reserve(final int db, final long keys)
    {
        this.type = TYPE_RESERVE;
        this.batch = null;
        this.requestIndex = 0;
        this.firstOfChunk = true;
        this.lastOfBatch = false;
        this.reserveDb = db;
        this.reserveKeys = keys;
    }

    void task()
    {
        this.type = TYPE_TASK;
        this.batch = null;
        this.requestIndex = 0;
        this.firstOfChunk = true;
        this.lastOfBatch = false;
    }

    /**
     * Engine thread, once every consumer has read this slot (or before reusing it): free a change area that grew
     * past {@link ChangeArea#RETAINED_CAPACITY}.
     *
     * @return true when memory was freed.
     */
    boolean releaseLargeChanges()
    {
        return changes.releaseLarge();
    }

    /**
     * Free this slot's change area entirely (every consumer has read it).
     */
    void releaseChanges()
    {
        changes.releaseAll();
    }

    /**
     * @return bytes this slot's change area holds.
     */
    int changesCapacity()
    {
        return changes.capacity();
    }

    /**
     * @return the change area the {@link io.ringkv.core.changelog.ChangeLog} writes this slot's records to; the
     * engine points the log at it before executing the slot.
     */
    public ChangeArea changeArea()
    {
        return changes;
    }

    /**
     * @return {@link #TYPE_REQUEST} or {@link #TYPE_TICK}.
     */
    public byte type()
    {
        return type;
    }

    /**
     * @return the batch this request came from; only the engine thread may use it.
     */
    public RequestBatch batch()
    {
        return batch;
    }

    /**
     * @return index of the request within its batch.
     */
    public int requestIndex()
    {
        return requestIndex;
    }

    /**
     * @return true when this slot holds the last request of its batch (the engine completed the batch after it);
     * consumers may use it to flush per batch.
     */
    public boolean lastOfBatch()
    {
        return lastOfBatch;
    }

    /**
     * @return buffer holding this slot's change records from index 0.
     */
    public DirectBuffer changes()
    {
        return changes.buffer();
    }

    /**
     * @return bytes of change records in {@link #changes()}.
     */
    public int changesLength()
    {
        return changes.length();
    }

    /**
     * @return number of change records in {@link #changes()}.
     */
    public int changeCount()
    {
        return changes.count();
    }
}
