package io.ringkv.core.store;

/**
 * Encoding tags stored in each entry's encoding byte. The command layer chooses them; the store never interprets
 * them. Constants only; any thread.
 */
public final class ValueEncoding
{
    /** String held as its raw bytes. */
    public static final byte STRING_RAW = 0;
    /** String holding a 64-bit integer, stored as an 8-byte little-endian long (INCR-able). */
    public static final byte STRING_INT = 1;
    /** JSON document held as compact JSON text. */
    public static final byte JSON_TEXT = 0;

    private ValueEncoding()
    {
    }
}
