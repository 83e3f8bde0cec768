package io.ringkv.core.rdb;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The string values whose DUMP payloads were recorded from a real redis-server 7.0.15 by
 * {@link RedisDumpVectorGenerator}. Deterministic (fixed seeds, {@link Random}'s specified sequence), so the
 * tests rebuild exactly the values the generator sent.
 */
final class GoldenValues
{
    static final long SEED = 0x5eed_0d0bL;

    private GoldenValues()
    {
    }

    static Map<String, byte[]> all()
    {
        final Map<String, byte[]> values = new LinkedHashMap<>();
        final String[] texts =
        {
            "", "0", "-1", "1", "12", "127", "128", "-128", "-129", "255", "256", "32767", "32768", "-32768",
            "-32769", "65535", "65536", "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296",
            "9223372036854775807", "-9223372036854775808", "9223372036854775808", "12345678901", "-1234567890",
            "007", "00", "-0", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "abc", "hello, dumping world!",
        };
        for (final String text : texts)
        {
            values.put("text:" + text, text.getBytes(StandardCharsets.US_ASCII));
        }
        for (int n = 18; n <= 26; n++)
        {
            values.put("repeat-a:" + n, "a".repeat(n).getBytes(StandardCharsets.US_ASCII));
        }
        values.put("incompressible:21", "abcdefghijklmnopqrstu".getBytes(StandardCharsets.US_ASCII));
        values.put("abc-repeat:24", "abc".repeat(8).getBytes(StandardCharsets.US_ASCII));
        values.put("binary:nul-crlf", new byte[] {0, 'a', '\r', '\n', 0, 0, (byte)0xff, (byte)0x80, '\n', '\r', 0});
        final byte[] binary = new byte[300];
        for (int i = 0; i < binary.length; i++)
        {
            binary[i] = (byte)(i % 7 == 0 ? 0 : i % 7 == 1 ? '\r' : i % 7 == 2 ? '\n' : i);
        }
        values.put("binary:300-nul-crlf", binary);

        final Random random = new Random(SEED);
        for (final int length : new int[] {63, 64, 65, 1000, 16383, 16384, 70_000})
        {
            values.put("random:" + length, randomBytes(random, length));
        }
        values.put("text:10k", text(random, 10 * 1024));
        values.put("zeros:100k", new byte[100_000]);
        values.put("random:1m", randomBytes(random, 1 << 20));
        values.put("text:1m", text(random, 1 << 20));

        // Around the compression decision: random head, repeated tail, lengths and proportions swept so that
        // liblzf's "does it fit in length - 4" checks land on both sides many times.
        for (int i = 0; i < 160; i++)
        {
            final int length = 21 + random.nextInt(i < 120 ? 60 : 400);
            final int head = random.nextInt(length + 1);
            final byte[] value = new byte[length];
            for (int j = 0; j < length; j++)
            {
                value[j] = j < head ? (byte)random.nextInt(256) : (byte)('a' + (j % (1 + i % 3)));
            }
            values.put("boundary:" + i + ":" + length + ":" + head, value);
        }
        for (int i = 0; i < 24; i++)
        {
            values.put("mixed:" + i, mixed(random, 21 + random.nextInt(1500)));
        }
        return values;
    }

    static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * Compressible text: words from a small vocabulary with random punctuation and numbers.
     */
    static byte[] text(final Random random, final int length)
    {
        final String[] words =
        {
            "ringkv", "redis", "cache", "value", "key", "the", "of", "and", "off-heap", "ring", "engine", "dump",
            "restore", "payload", "lzf", "crc", "version", "string", "json", "replica", "snapshot", "latency",
        };
        final StringBuilder builder = new StringBuilder(length + 32);
        while (builder.length() < length)
        {
            builder.append(words[random.nextInt(words.length)]);
            final int p = random.nextInt(20);
            if (p == 3)
            {
                builder.append(' ').append(random.nextInt(10000)).append(' ');
            }
            else
            {
                builder.append(p == 0 ? ". " : p == 1 ? ", " : p == 2 ? "\n" : " ");
            }
        }
        builder.setLength(length);
        return builder.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Mixed content: runs of random bytes, copies of earlier stretches at random distances, and byte runs.
     */
    static byte[] mixed(final Random random, final int length)
    {
        final byte[] value = new byte[length];
        int i = 0;
        while (i < length)
        {
            final int kind = random.nextInt(3);
            final int run = Math.min(length - i, 1 + random.nextInt(40));
            for (int j = 0; j < run; j++, i++)
            {
                if (kind == 1 && i > 0)
                {
                    value[i] = value[i - 1 - random.nextInt(Math.min(i, 9000))];
                }
                else if (kind == 2)
                {
                    value[i] = (byte)run;
                }
                else
                {
                    value[i] = (byte)random.nextInt(256);
                }
            }
        }
        return value;
    }
}
