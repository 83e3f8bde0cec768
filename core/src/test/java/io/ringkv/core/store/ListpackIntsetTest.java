package io.ringkv.core.store;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.rdb.DumpPayloadDescriptor;
import io.ringkv.core.rdb.RdbStringDecoder;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The listpack and intset codecs against DUMP payloads taken from redis-server 7.0.15 (the bodies are those
 * formats, RDB-string encoded): they read Redis's bytes and write the same bytes back, and they refuse corrupt input
 * without reading outside it.
 */
class ListpackIntsetTest
{
    private static final String HASH_SMALL = RedisCollectionVectors.HASH_SMALL;
    private static final String HASH_ALL_ENCODINGS = RedisCollectionVectors.HASH_ALL_ENCODINGS;
    private static final String[] HASH_FIELDS = RedisCollectionVectors.HASH_FIELDS;
    private static final String SET_INT32 = RedisCollectionVectors.SET_INT32;
    private static final String SET_INT64 = RedisCollectionVectors.SET_INT64;

    private final AsciiNumbers numbers = new AsciiNumbers();

    @Test
    void readsRedisListpacksAndWritesTheSameBytes()
    {
        assertListpackRoundTrip(HASH_SMALL, new String[]{"a", "b"});
        assertListpackRoundTrip(HASH_ALL_ENCODINGS, HASH_FIELDS);
    }

    @Test
    void readsRedisIntsetsAndBuildsTheSameBytesInAnyInsertionOrder()
    {
        assertIntsetRoundTrip(SET_INT32, new long[]{-70000, 1, 2, 3});
        assertIntsetRoundTrip(SET_INT64, new long[]{5, 100000, 99999999999L});
    }

    @Test
    void everyBitFlipAndTruncationOfAListpackIsRefusedOrStillWellFormed()
    {
        final byte[] listpack = body(HASH_ALL_ENCODINGS);
        for (int bit = 0; bit < listpack.length * 8; bit++)
        {
            final byte[] flipped = listpack.clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            assertValidatedSafely(flipped);
        }
        for (int length = 0; length < listpack.length; length++)
        {
            final byte[] truncated = java.util.Arrays.copyOf(listpack, length);
            assertEquals(Listpack.INVALID, Listpack.validate(new UnsafeBuffer(truncated), 0, length), "len " + length);
        }
    }

    @Test
    void aListpackWhoseHeaderLiesIsRefused()
    {
        final byte[] listpack = body(HASH_ALL_ENCODINGS);
        final UnsafeBuffer buffer = new UnsafeBuffer(listpack.clone());
        assertEquals(HASH_FIELDS.length, Listpack.validate(buffer, 0, listpack.length));

        buffer.putShort(Listpack.COUNT_OFFSET, (short)(HASH_FIELDS.length + 2), java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(Listpack.INVALID, Listpack.validate(buffer, 0, listpack.length), "count too high");
        buffer.putShort(Listpack.COUNT_OFFSET, (short)Listpack.COUNT_UNKNOWN, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(Listpack.INVALID, Listpack.validate(buffer, 0, listpack.length), "unknown with few entries");
        buffer.putShort(Listpack.COUNT_OFFSET, (short)HASH_FIELDS.length, java.nio.ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(Listpack.TOTAL_BYTES_OFFSET, listpack.length + 100, java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(Listpack.INVALID, Listpack.validate(buffer, 0, listpack.length), "total bytes too high");

        // A 32-bit string length reaching past the end.
        final UnsafeBuffer huge = new UnsafeBuffer(new byte[]{13, 0, 0, 0, 1, 0, (byte)0xF0, -1, -1, -1, 0x7F, 1, -1});
        assertEquals(Listpack.INVALID, Listpack.validate(huge, 0, 13));
    }

    @Test
    void everyBitFlipAndTruncationOfAnIntsetIsRefusedOrStillWellFormed()
    {
        final byte[] intset = body(SET_INT64);
        for (int bit = 0; bit < intset.length * 8; bit++)
        {
            final byte[] flipped = intset.clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            final UnsafeBuffer buffer = new UnsafeBuffer(flipped);
            final int count = Intset.validate(buffer, 0, flipped.length);
            if (count != Intset.INVALID)
            {
                for (int i = 1; i < count; i++)
                {
                    assertTrue(Intset.get(buffer, 0, i - 1) < Intset.get(buffer, 0, i));
                }
            }
        }
        for (int length = 0; length < intset.length; length++)
        {
            assertEquals(Intset.INVALID, Intset.validate(new UnsafeBuffer(intset), 0, length), "len " + length);
        }
        final UnsafeBuffer unsorted = new UnsafeBuffer(new byte[]{2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0});
        assertEquals(Intset.INVALID, Intset.validate(unsorted, 0, 12), "duplicate members");
        final UnsafeBuffer width3 = new UnsafeBuffer(new byte[]{3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0});
        assertEquals(Intset.INVALID, Intset.validate(width3, 0, 11), "unknown width");
    }

    @Test
    void randomListpacksReadBackWhatWasWritten()
    {
        final Random random = new Random(11);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        for (int round = 0; round < 500; round++)
        {
            final List<String> elements = new ArrayList<>();
            final int n = random.nextInt(40);
            for (int i = 0; i < n; i++)
            {
                elements.add(randomElement(random));
            }
            final int length = write(buffer, elements.toArray(new String[0]));
            assertEquals(n, Listpack.validate(buffer, 0, length));
            assertEquals(elements, read(buffer, length));
        }
    }

    @Test
    void intsetAddAndRemoveKeepTheSetOfAModel()
    {
        final Random random = new Random(7);
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
        for (int round = 0; round < 200; round++)
        {
            final TreeSet<Long> model = new TreeSet<>();
            final long first = randomMember(random);
            Intset.writeSingle(buffer, 0, first);
            model.add(first);
            for (int op = 0; op < 200; op++)
            {
                final long value = randomMember(random);
                final int position = Intset.search(buffer, 0, value);
                assertEquals(model.contains(value), position >= 0);
                if (random.nextInt(3) != 0)
                {
                    if (position < 0)
                    {
                        buffer.checkLimit(Intset.lengthWith(buffer, 0, value));
                        Intset.add(buffer, 0, value, -position - 1);
                        model.add(value);
                    }
                }
                else if (position >= 0 && model.size() > 1)
                {
                    Intset.remove(buffer, 0, position);
                    model.remove(value);
                }
                final int length = Intset.length(buffer, 0);
                assertEquals(model.size(), Intset.validate(buffer, 0, length));
                int i = 0;
                for (final long member : model)
                {
                    assertEquals(member, Intset.get(buffer, 0, i++));
                }
            }
        }
    }

    private void assertListpackRoundTrip(final String payloadHex, final String[] expected)
    {
        final byte[] listpack = body(payloadHex);
        final UnsafeBuffer buffer = new UnsafeBuffer(listpack);
        assertEquals(expected.length, Listpack.validate(buffer, 0, listpack.length));
        assertEquals(expected.length, Listpack.count(buffer, 0));
        assertEquals(List.of(expected), read(buffer, listpack.length));

        final ExpandableArrayBuffer written = new ExpandableArrayBuffer();
        final int length = write(written, expected);
        final byte[] bytes = new byte[length];
        written.getBytes(0, bytes);
        assertArrayEquals(listpack, bytes);
        for (int i = 0; i < expected.length; i++)
        {
            final int p = nth(buffer, i);
            final UnsafeBuffer s = new UnsafeBuffer(expected[i].getBytes(StandardCharsets.UTF_8));
            final boolean isInt = numbers.parseLong(s, 0, s.capacity());
            assertTrue(Listpack.equalTo(buffer, p, s, 0, s.capacity(), isInt, numbers.value()), expected[i]);
            final UnsafeBuffer other = new UnsafeBuffer((expected[i] + "0").getBytes(StandardCharsets.UTF_8));
            final boolean otherIsInt = numbers.parseLong(other, 0, other.capacity());
            assertFalse(Listpack.equalTo(buffer, p, other, 0, other.capacity(), otherIsInt, numbers.value()));
        }
    }

    private void assertIntsetRoundTrip(final String payloadHex, final long[] members)
    {
        final byte[] intset = body(payloadHex);
        final UnsafeBuffer buffer = new UnsafeBuffer(intset);
        assertEquals(members.length, Intset.validate(buffer, 0, intset.length));
        for (int i = 0; i < members.length; i++)
        {
            assertEquals(members[i], Intset.get(buffer, 0, i));
            assertEquals(i, Intset.search(buffer, 0, members[i]));
        }
        final Random random = new Random(3);
        for (int round = 0; round < 20; round++)
        {
            final List<Long> order = new ArrayList<>();
            for (final long member : members)
            {
                order.add(member);
            }
            Collections.shuffle(order, random);
            final ExpandableArrayBuffer built = new ExpandableArrayBuffer();
            Intset.writeSingle(built, 0, order.get(0));
            for (int i = 1; i < order.size(); i++)
            {
                final long value = order.get(i);
                built.checkLimit(Intset.lengthWith(built, 0, value));
                Intset.add(built, 0, value, -Intset.search(built, 0, value) - 1);
            }
            final byte[] bytes = new byte[Intset.length(built, 0)];
            built.getBytes(0, bytes);
            assertArrayEquals(intset, bytes, order.toString());
        }
    }

    private static void assertValidatedSafely(final byte[] listpack)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(listpack);
        final int count = Listpack.validate(buffer, 0, listpack.length);
        if (count != Listpack.INVALID)
        {
            int seen = 0;
            for (int p = Listpack.first(buffer, 0); p != 0; p = Listpack.next(buffer, 0, p))
            {
                if (Listpack.isInt(buffer, p))
                {
                    Listpack.intValue(buffer, p);
                }
                else
                {
                    assertTrue(Listpack.stringIndex(buffer, p) + Listpack.stringLength(buffer, p) < listpack.length);
                }
                seen++;
            }
            assertEquals(count, seen);
        }
    }

    private int write(final ExpandableArrayBuffer buffer, final String[] elements)
    {
        int p = Listpack.HEADER_LENGTH;
        for (final String element : elements)
        {
            final UnsafeBuffer s = new UnsafeBuffer(element.getBytes(StandardCharsets.UTF_8));
            final boolean isInt = numbers.parseLong(s, 0, s.capacity());
            final int expected = Listpack.elementLength(s.capacity(), isInt, numbers.value());
            assertEquals(expected, Listpack.writeElement(buffer, p, s, 0, s.capacity(), isInt, numbers.value()));
            p += expected;
        }
        buffer.putByte(p++, (byte)Listpack.EOF);
        Listpack.header(buffer, 0, p, elements.length);
        return p;
    }

    private static List<String> read(final DirectBuffer buffer, final int length)
    {
        final List<String> elements = new ArrayList<>();
        for (int p = Listpack.first(buffer, 0); p != 0; p = Listpack.next(buffer, 0, p))
        {
            if (Listpack.isInt(buffer, p))
            {
                elements.add(Long.toString(Listpack.intValue(buffer, p)));
            }
            else
            {
                final byte[] bytes = new byte[Listpack.stringLength(buffer, p)];
                buffer.getBytes(Listpack.stringIndex(buffer, p), bytes);
                elements.add(new String(bytes, StandardCharsets.UTF_8));
            }
            assertTrue(Listpack.skip(buffer, p) < length);
        }
        return elements;
    }

    private static int nth(final DirectBuffer buffer, final int n)
    {
        int p = Listpack.first(buffer, 0);
        for (int i = 0; i < n; i++)
        {
            p = Listpack.next(buffer, 0, p);
        }
        return p;
    }

    private static String randomElement(final Random random)
    {
        return switch (random.nextInt(6))
        {
            case 0 -> Long.toString(random.nextLong());
            case 1 -> Long.toString(random.nextInt(1 << 14) - (1 << 13));
            case 2 -> Long.toString(random.nextInt(1 << 25) - (1 << 24));
            case 3 -> "0" + random.nextInt(100);
            case 4 -> "s".repeat(random.nextInt(5000));
            default -> "k" + random.nextInt(1000);
        };
    }

    private static long randomMember(final Random random)
    {
        return switch (random.nextInt(3))
        {
            case 0 -> random.nextInt(200) - 100;
            case 1 -> random.nextInt(20000000) - 10000000;
            default -> random.nextLong() >> random.nextInt(40);
        };
    }

    /** The value inside a DUMP payload: its RDB string body, decoded (LZF inflated). */
    private static byte[] body(final String payloadHex)
    {
        final byte[] payload = HexFormat.of().parseHex(payloadHex);
        final UnsafeBuffer buffer = new UnsafeBuffer(payload);
        final RdbStringDecoder decoder = new RdbStringDecoder();
        final int end = payload.length - DumpPayloadDescriptor.FOOTER_LENGTH;
        assertEquals(end - DumpPayloadDescriptor.BODY_OFFSET, decoder.wrap(buffer, DumpPayloadDescriptor.BODY_OFFSET,
            end));
        final ExpandableArrayBuffer value = new ExpandableArrayBuffer();
        decoder.decodeTo(value, 0);
        final byte[] bytes = new byte[decoder.valueLength()];
        value.getBytes(0, bytes);
        return bytes;
    }
}
