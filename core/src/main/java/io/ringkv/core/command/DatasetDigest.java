package io.ringkv.core.command;

import io.ringkv.core.store.ElementDescriptor;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Intset;
import io.ringkv.core.store.Listpack;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: a 20-byte SHA-1 based digest of the dataset that does not depend on the order
 * keys sit in the tables, after Redis's computeDatasetDigest. Each key's digest mixes its name, its type, its value
 * (as the string a client reads: an integer-encoded string counts as its decimal digits) and whether it has a TTL
 * (not the TTL's value); key digests are combined with XOR, and each non-empty database's index is mixed in before
 * its keys, so equal data in a different database gives a different digest. An empty dataset digests to 20 zero
 * bytes. Keys whose TTL has passed at {@code nowMs} are left out (Redis includes keys not yet removed), so a master
 * and its replica agree whatever their expiry cycles have reached.
 * <p>
 * Only the engine thread calls this. Allocates (SHA-1 state, copies): for administrative use only.
 */
public final class DatasetDigest
{
    /** Digest length in bytes. */
    public static final int DIGEST_LENGTH = 20;

    private static final byte[] EXPIRE_MARK = "!!expire!!".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest sha1;
    private final EntryFlyweight entry = new EntryFlyweight();
    private final ListValues listValues = new ListValues();
    private Keyspace keyspace;
    private final byte[] keyDigest = new byte[DIGEST_LENGTH];

    public DatasetDigest()
    {
        try
        {
            sha1 = MessageDigest.getInstance("SHA-1");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("every JDK has SHA-1", ex);
        }
    }

    /**
     * @param keyspace the data.
     * @param nowMs    keys expired at this time are left out.
     * @return the dataset's digest, 20 zero bytes when it holds no live key.
     */
    public byte[] dataset(final Keyspace keyspace, final long nowMs)
    {
        this.keyspace = keyspace;
        final byte[] result = new byte[DIGEST_LENGTH];
        for (int db = 0; db < keyspace.databases(); db++)
        {
            if (keyspace.size(db) == 0)
            {
                continue;
            }
            final byte[] dbIndex = {(byte)(db >>> 24), (byte)(db >>> 16), (byte)(db >>> 8), (byte)db};
            mix(result, dbIndex);
            keyspace.forEachEntry(db, (address) ->
            {
                entry.wrap(address);
                if (isExpired(entry, nowMs))
                {
                    return;
                }
                Arrays.fill(keyDigest, (byte)0);
                mix(keyDigest, copy(entry, entry.keyOffset(), entry.keyLength()));
                value(keyDigest);
                xor(result, keyDigest);
            });
        }
        return result;
    }

    /**
     * @param keyspace  holding the entry (a large collection's elements are in its element tables).
     * @param entryAddr the key's entry, or {@link Keyspace#NOT_FOUND}.
     * @return the value's digest (type, value and TTL presence, without the key's name); zeros for no entry.
     */
    public byte[] value(final Keyspace keyspace, final long entryAddr)
    {
        this.keyspace = keyspace;
        final byte[] result = new byte[DIGEST_LENGTH];
        if (entryAddr != Keyspace.NOT_FOUND)
        {
            entry.wrap(entryAddr);
            value(result);
        }
        return result;
    }

    /**
     * @param digest bytes to print.
     * @return lower-case hex, two characters per byte.
     */
    public static String hex(final byte[] digest)
    {
        final StringBuilder text = new StringBuilder(digest.length * 2);
        for (final byte b : digest)
        {
            text.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }

    private void value(final byte[] digest)
    {
        final int type = entry.type();
        mix(digest, new byte[]{(byte)(type >>> 24), (byte)(type >>> 16), (byte)(type >>> 8), (byte)type});
        if (type == ValueType.HASH)
        {
            hash(digest);
        }
        else if (type == ValueType.SET)
        {
            set(digest);
        }
        else if (type == ValueType.LIST)
        {
            list(digest);
        }
        else if (type == ValueType.ZSET)
        {
            zset(digest);
        }
        else if (StringValues.isInt(entry))
        {
            mix(digest, Long.toString(StringValues.intValue(entry)).getBytes(StandardCharsets.US_ASCII));
        }
        else
        {
            mix(digest, copy(entry, entry.valueOffset(), entry.valueLength()));
        }
        if (entry.expireAtMs() != Keyspace.NO_EXPIRY)
        {
            xor(digest, EXPIRE_MARK);
        }
    }

    /**
     * Redis's digest of a hash: per field, SHA-1 mixes of the field and its value, XORed into the digest, so the
     * order of the fields (and so the encoding) does not matter.
     */
    private void hash(final byte[] digest)
    {
        if (entry.encoding() == ValueEncoding.HASH_TABLE)
        {
            final long entryAddress = entry.address();
            keyspace.elementTables().forEach(HashValues.tableId(entry), element ->
            {
                final int keyLength = UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET);
                final int valueLength = HashValues.valueLength(element);
                final byte[] field = new byte[keyLength];
                final byte[] value = new byte[valueLength];
                UnsafeApi.copyMemory(null, element + ElementDescriptor.KEY_OFFSET, field,
                    BufferUtil.ARRAY_BASE_OFFSET, keyLength);
                UnsafeApi.copyMemory(null, element + ElementDescriptor.valueOffset(keyLength), value,
                    BufferUtil.ARRAY_BASE_OFFSET, valueLength);
                pair(digest, field, value);
            });
            entry.wrap(entryAddress);
            return;
        }
        final UnsafeBuffer listpack = entry.buffer();
        final int base = entry.valueOffset();
        for (int p = Listpack.first(listpack, base); p != 0; )
        {
            final int q = Listpack.next(listpack, base, p);
            pair(digest, element(listpack, p), element(listpack, q));
            p = Listpack.next(listpack, base, q);
        }
    }

    /**
     * Redis's digest of a set: the SHA-1 of every member XORed into the digest.
     */
    private void set(final byte[] digest)
    {
        if (entry.encoding() == ValueEncoding.SET_TABLE)
        {
            final long entryAddress = entry.address();
            keyspace.elementTables().forEach(SetCommands.tableId(entry), element ->
            {
                final byte[] member = new byte[UnsafeApi.getInt(element + ElementDescriptor.KEY_LENGTH_OFFSET)];
                UnsafeApi.copyMemory(null, element + ElementDescriptor.KEY_OFFSET, member,
                    BufferUtil.ARRAY_BASE_OFFSET, member.length);
                xor(digest, member);
            });
            entry.wrap(entryAddress);
            return;
        }
        final UnsafeBuffer intset = entry.buffer();
        for (int i = 0, count = Intset.count(intset, entry.valueOffset()); i < count; i++)
        {
            xor(digest, Long.toString(Intset.get(intset, entry.valueOffset(), i)).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * Redis's digest of a list: each element mixed in, in order.
     */
    private void list(final byte[] digest)
    {
        final long entryAddress = entry.address();
        listValues.bind(keyspace, entry.database(), entryAddress, entry).forEach(new ListValues.ElementVisitor()
        {
            public void visitInt(final long value)
            {
                mix(digest, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
            }

            public void visitBytes(final DirectBuffer buffer, final int offset, final int length)
            {
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                mix(digest, bytes);
            }
        });
        entry.wrap(entryAddress);
    }

    /**
     * Redis's digest of a sorted set: per member, SHA-1 mixes of the member and its score as "%.17g", XORed in.
     */
    private void zset(final byte[] digest)
    {
        final long entryAddress = entry.address();
        final ZSetValue value = zsetValue.wrap(keyspace, entry.database(), entryAddress);
        final long size = value.size();
        for (long rank = 0; rank < size; rank++)
        {
            value.seek(rank);
            final byte[] member = new byte[value.memberLength()];
            value.member().getBytes(value.memberOffset(), member);
            final int length = value.formatScore(value.score());
            final byte[] score = new byte[length];
            value.scoreText().getBytes(0, score);
            pair(digest, member, score);
        }
        entry.wrap(entryAddress);
    }

    private final ZSetValue zsetValue = new ZSetValue();

    private void pair(final byte[] digest, final byte[] field, final byte[] value)
    {
        final byte[] elementDigest = new byte[DIGEST_LENGTH];
        mix(elementDigest, field);
        mix(elementDigest, value);
        xor(digest, elementDigest);
    }

    private static byte[] element(final UnsafeBuffer listpack, final int p)
    {
        if (Listpack.isInt(listpack, p))
        {
            return Long.toString(Listpack.intValue(listpack, p)).getBytes(StandardCharsets.US_ASCII);
        }
        final byte[] bytes = new byte[Listpack.stringLength(listpack, p)];
        listpack.getBytes(Listpack.stringIndex(listpack, p), bytes);
        return bytes;
    }

    private static boolean isExpired(final EntryFlyweight entry, final long nowMs)
    {
        return entry.expireAtMs() != Keyspace.NO_EXPIRY && nowMs > entry.expireAtMs();
    }

    private static byte[] copy(final EntryFlyweight entry, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        entry.buffer().getBytes(offset, bytes);
        return bytes;
    }

    /** Redis's xorDigest: digest ^= SHA1(data). */
    private void xor(final byte[] digest, final byte[] data)
    {
        final byte[] hash = sha1.digest(data);
        for (int i = 0; i < DIGEST_LENGTH; i++)
        {
            digest[i] ^= hash[i];
        }
    }

    /** Redis's mixDigest: digest = SHA1(digest ^ SHA1(data)). */
    private void mix(final byte[] digest, final byte[] data)
    {
        xor(digest, data);
        System.arraycopy(sha1.digest(digest), 0, digest, 0, DIGEST_LENGTH);
    }
}
