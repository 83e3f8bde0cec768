package io.ringkv.core.store;

/**
 * Type tags stored in each entry's type byte. The collection types reuse Redis's RDB object type ids so they can be
 * added later without a new table. Constants only; any thread.
 */
public final class ValueType
{
    public static final byte STRING = 0;
    public static final byte LIST = 1;
    public static final byte SET = 2;
    public static final byte ZSET = 3;
    public static final byte HASH = 4;
    /** A JSON document, ringkv's own type. */
    public static final byte JSON = 16;

    private ValueType()
    {
    }
}
