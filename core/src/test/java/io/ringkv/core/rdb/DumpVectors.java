package io.ringkv.core.rdb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The golden payloads recorded from redis-server 7.0.15 ({@code redis-7.0.15-dump-vectors.txt}).
 */
final class DumpVectors
{
    static final String RESOURCE = "redis-7.0.15-dump-vectors.txt";

    /**
     * One recorded DUMP: the full payload when small, else its length and SHA-256.
     */
    record Vector(String name, byte[] payload, int length, byte[] sha256, String extra)
    {
        boolean matches(final byte[] actual)
        {
            if (payload != null)
            {
                return java.util.Arrays.equals(payload, actual);
            }
            return actual.length == length && java.util.Arrays.equals(sha256, DumpVectors.sha256(actual));
        }
    }

    private DumpVectors()
    {
    }

    static List<Vector> load()
    {
        try (InputStream in = DumpVectors.class.getResourceAsStream(RESOURCE))
        {
            final List<Vector> vectors = new ArrayList<>();
            for (final String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n"))
            {
                if (line.isEmpty() || line.startsWith("#"))
                {
                    continue;
                }
                final String[] fields = line.split("\t", -1);
                final String encoded = fields[1];
                final String extra = fields.length > 2 ? fields[2] : null;
                if (encoded.startsWith("hex:"))
                {
                    final byte[] payload = HexFormat.of().parseHex(encoded.substring(4));
                    vectors.add(new Vector(fields[0], payload, payload.length, null, extra));
                }
                else
                {
                    final String[] parts = encoded.split(":");
                    vectors.add(new Vector(fields[0], null, Integer.parseInt(parts[1]),
                        HexFormat.of().parseHex(parts[2]), extra));
                }
            }
            return vectors;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static byte[] sha256(final byte[] bytes)
    {
        try
        {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
