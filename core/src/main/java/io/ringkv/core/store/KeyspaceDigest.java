package io.ringkv.core.store;

import org.agrona.UnsafeApi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import static io.ringkv.core.store.EntryDescriptor.ENCODING_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.EXPIRE_AT_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_LENGTH_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.KEY_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.TYPE_OFFSET;
import static io.ringkv.core.store.EntryDescriptor.VALUE_LENGTH_OFFSET;

/**
 * The data set digest with Redis's DEBUG DIGEST meaning (debug.c computeDatasetDigest): 20 bytes, all zero for an
 * empty data set, independent of the order keys are stored in, changed by any key, type, value, database or by a
 * key gaining or losing a TTL. Per key: SHA-1 mixing of its bytes, its type and its value as a string (an
 * integer-encoded string as its decimal text, a json document as its compact text), "!!expire!!" xor-ed in when it
 * has a TTL; keys are combined with xor, each non-empty database mixed in by its index. Replication tests compare
 * master and replica with it; DEBUG DIGEST returns it in hex.
 * <p>
 * Only the engine thread calls it; allocates (it is a debugging aid, O(keys)).
 */
public final class KeyspaceDigest
{
    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final MessageDigest sha1;
    private final byte[] keyDigest = new byte[20];
    private final byte[] hash = new byte[20];

    public KeyspaceDigest()
    {
        try
        {
            sha1 = MessageDigest.getInstance("SHA-1");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @param keyspace the data (every stored entry counts, as Redis's digest counts keys not yet reclaimed).
     * @return the 20-byte digest.
     */
    public byte[] digest(final Keyspace keyspace)
    {
        final byte[] total = new byte[20];
        for (int db = 0; db < keyspace.databases(); db++)
        {
            if (keyspace.size(db) == 0)
            {
                continue;
            }
            mix(total, new byte[]{(byte)(db >>> 24), (byte)(db >>> 16), (byte)(db >>> 8), (byte)db});
            keyspace.table(db).forEach(entry -> xor(total, entryDigest(entry)));
        }
        return total;
    }

    /**
     * @return {@link #digest} as 40 lower-case hex characters (DEBUG DIGEST's reply).
     */
    public String hex(final Keyspace keyspace)
    {
        final StringBuilder text = new StringBuilder(40);
        for (final byte b : digest(keyspace))
        {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }

    private byte[] entryDigest(final long entry)
    {
        final byte[] digest = keyDigest;
        java.util.Arrays.fill(digest, (byte)0);
        final int keyLength = UnsafeApi.getInt(entry + KEY_LENGTH_OFFSET);
        final int valueLength = UnsafeApi.getInt(entry + VALUE_LENGTH_OFFSET);
        final byte[] key = new byte[keyLength];
        UnsafeApi.copyMemory(null, entry + KEY_OFFSET, key, org.agrona.BufferUtil.ARRAY_BASE_OFFSET, keyLength);
        mix(digest, key);
        final int type = UnsafeApi.getByte(entry + TYPE_OFFSET);
        mix(digest, new byte[]{(byte)(type >>> 24), (byte)(type >>> 16), (byte)(type >>> 8), (byte)type});
        final byte[] value;
        if (type == ValueType.STRING && UnsafeApi.getByte(entry + ENCODING_OFFSET) == ValueEncoding.STRING_INT)
        {
            value = Long.toString(UnsafeApi.getLong(entry + KEY_OFFSET + keyLength))
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        else
        {
            value = new byte[valueLength];
            UnsafeApi.copyMemory(null, entry + KEY_OFFSET + keyLength, value, org.agrona.BufferUtil.ARRAY_BASE_OFFSET,
                valueLength);
        }
        mix(digest, value);
        if (UnsafeApi.getLong(entry + EXPIRE_AT_OFFSET) != Keyspace.NO_EXPIRY)
        {
            xor(digest, sha1(EXPIRE_MARK));
        }
        return digest;
    }

    /** Redis's mixDigest: xor in SHA-1(data), then replace the digest by SHA-1(digest). */
    private void mix(final byte[] digest, final byte[] data)
    {
        xor(digest, sha1(data));
        System.arraycopy(sha1(digest), 0, digest, 0, 20);
    }

    private byte[] sha1(final byte[] data)
    {
        sha1.reset();
        sha1.update(data);
        try
        {
            sha1.digest(hash, 0, 20);
        }
        catch (final java.security.DigestException ex)
        {
            throw new IllegalStateException(ex);
        }
        return hash;
    }

    private static void xor(final byte[] digest, final byte[] other)
    {
        for (int i = 0; i < 20; i++)
        {
            digest[i] ^= other[i];
        }
    }
}
