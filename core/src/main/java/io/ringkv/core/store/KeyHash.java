package io.ringkv.core.store;

import org.agrona.UnsafeApi;

/**
 * 64-bit hash of key bytes in the wyhash family: 128-bit multiply-and-fold mixing over 8-byte reads, so short keys
 * (the common case, 8-32 bytes) cost two or three multiplies. Reads are native byte order; the hash only has to be
 * stable within one process (it is never persisted or sent). Stateless; any thread.
 */
final class KeyHash implements KeyHashFunction
{
    static final KeyHash INSTANCE = new KeyHash();

    private static final long SEED = 0x2d358dccaa6c78a5L;
    private static final long P0 = 0xa0761d6478bd642fL;
    private static final long P1 = 0xe7037ed1a0b428dbL;
    private static final long P2 = 0x8ebc6af09c88c6e3L;

    private KeyHash()
    {
    }

    public long hash(final Object base, final long address, final int length)
    {
        return hashBytes(base, address, length);
    }

    /**
     * @param base    array holding the bytes, or null for an absolute address.
     * @param address absolute address or array offset.
     * @param length  bytes to hash.
     * @return 64-bit hash.
     */
    static long hashBytes(final Object base, final long address, final int length)
    {
        long seed = SEED ^ mix(SEED ^ P0, P1);
        final long a;
        final long b;
        if (length <= 16)
        {
            if (length >= 4)
            {
                final int shift = (length >>> 3) << 2;
                a = (read32(base, address) << 32) | read32(base, address + shift);
                b = (read32(base, address + length - 4) << 32) | read32(base, address + length - 4 - shift);
            }
            else if (length > 0)
            {
                a = ((UnsafeApi.getByte(base, address) & 0xFFL) << 16) |
                    ((UnsafeApi.getByte(base, address + (length >>> 1)) & 0xFFL) << 8) |
                    (UnsafeApi.getByte(base, address + length - 1) & 0xFFL);
                b = 0;
            }
            else
            {
                a = 0;
                b = 0;
            }
        }
        else
        {
            long p = address;
            int remaining = length;
            if (remaining > 48)
            {
                long seed1 = seed;
                long seed2 = seed;
                do
                {
                    seed = mix(UnsafeApi.getLong(base, p) ^ P1, UnsafeApi.getLong(base, p + 8) ^ seed);
                    seed1 = mix(UnsafeApi.getLong(base, p + 16) ^ P2, UnsafeApi.getLong(base, p + 24) ^ seed1);
                    seed2 = mix(UnsafeApi.getLong(base, p + 32) ^ P0, UnsafeApi.getLong(base, p + 40) ^ seed2);
                    p += 48;
                    remaining -= 48;
                }
                while (remaining > 48);
                seed ^= seed1 ^ seed2;
            }
            while (remaining > 16)
            {
                seed = mix(UnsafeApi.getLong(base, p) ^ P1, UnsafeApi.getLong(base, p + 8) ^ seed);
                p += 16;
                remaining -= 16;
            }
            a = UnsafeApi.getLong(base, p + remaining - 16);
            b = UnsafeApi.getLong(base, p + remaining - 8);
        }
        return mix(P1 ^ length, mix(a ^ P1, b ^ seed) ^ P0);
    }

    private static long read32(final Object base, final long address)
    {
        return UnsafeApi.getInt(base, address) & 0xFFFF_FFFFL;
    }

    private static long mix(final long a, final long b)
    {
        return (a * b) ^ Math.unsignedMultiplyHigh(a, b);
    }
}
