package io.ringkv.core.rdb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import io.ringkv.core.testing.RedisServerProcess;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Records the golden DUMP payloads in {@code redis-7.0.15-dump-vectors.txt}: starts a throwaway redis-server on
 * a free loopback port (no persistence), SETs every {@link GoldenValues} value, DUMPs it over a minimal
 * binary-safe RESP exchange, and writes one line per value. Also RESTOREs a ringkv JSON payload into that Redis
 * and records Redis's answer. Not a test: run it by hand when the value set changes.
 * <pre>
 *   java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
 *       -cp core/target/classes:core/target/test-classes:agrona.jar \
 *       io.ringkv.core.rdb.RedisDumpVectorGenerator \
 *       core/src/test/resources/io/ringkv/core/rdb/redis-7.0.15-dump-vectors.txt
 * </pre>
 * Line format (tab-separated): {@code name  hex:<payload>} for payloads up to {@link #INLINE_MAX_LENGTH} bytes,
 * else {@code name  sha256:<length>:<digest>} to keep the committed resource small.
 */
public final class RedisDumpVectorGenerator
{
    static final int INLINE_MAX_LENGTH = 2048;

    private RedisDumpVectorGenerator()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try (RedisServerProcess redis = RedisServerProcess.start();
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port()))
        {
            final InputStream in = new BufferedInputStream(socket.getInputStream());
            final OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            final List<String> lines = new ArrayList<>();
            lines.add("# DUMP payloads recorded from " + text(command(in, out, "INFO", "server")).lines()
                .filter(l -> l.startsWith("redis_version:")).findFirst().orElseThrow().trim() + " by " +
                RedisDumpVectorGenerator.class.getSimpleName());

            for (final Map.Entry<String, byte[]> entry : GoldenValues.all().entrySet())
            {
                final byte[] key = "k".getBytes(StandardCharsets.US_ASCII);
                expect("OK", text(command(in, out, key("SET"), key, entry.getValue())));
                final byte[] payload = (byte[])command(in, out, key("DUMP"), key);
                lines.add(entry.getKey() + "\t" + encode(payload));
            }

            final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
            final byte[] json = "{\"a\":[1,2,{\"b\":null}]}".getBytes(StandardCharsets.UTF_8);
            final int length = new DumpPayloadWriter().writeJson(new UnsafeBuffer(json), 0, json.length, buffer, 0);
            final byte[] payload = new byte[length];
            buffer.getBytes(0, payload);
            final Object reply = command(in, out, key("RESTORE"), key("j"), key("0"), payload);
            lines.add("!restore-json\t" + encode(payload) + "\t" + text(reply));

            Files.write(Path.of(args[0]), lines, StandardCharsets.UTF_8);
            System.out.println("wrote " + lines.size() + " lines to " + args[0]);
        }
    }

    private static String encode(final byte[] payload) throws Exception
    {
        if (payload.length <= INLINE_MAX_LENGTH)
        {
            return "hex:" + HexFormat.of().formatHex(payload);
        }
        return "sha256:" + payload.length + ":" +
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(payload));
    }

    private static byte[] key(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void expect(final String expected, final String actual)
    {
        if (!expected.equals(actual))
        {
            throw new IllegalStateException("expected " + expected + " but got " + actual);
        }
    }

    private static String text(final Object reply)
    {
        return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.ISO_8859_1) : String.valueOf(reply);
    }

    private static Object command(final InputStream in, final OutputStream out, final Object... args)
        throws IOException
    {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (final Object arg : args)
        {
            final byte[] bytes = arg instanceof byte[] b ? b : ((String)arg).getBytes(StandardCharsets.US_ASCII);
            out.write(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
        return readReply(in);
    }

    private static Object readReply(final InputStream in) throws IOException
    {
        final int type = in.read();
        final String line = readLine(in);
        switch (type)
        {
            case '+':
            case '-':
                return line;
            case ':':
                return Long.parseLong(line);
            case '$':
                final int length = Integer.parseInt(line);
                if (length < 0)
                {
                    return null;
                }
                final byte[] bytes = in.readNBytes(length);
                readLine(in);
                return bytes;
            default:
                throw new IOException("unexpected reply type " + (char)type + line);
        }
    }

    private static String readLine(final InputStream in) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\r')
        {
            if (b < 0)
            {
                throw new IOException("connection closed");
            }
            line.write(b);
        }
        in.read();
        return line.toString(StandardCharsets.ISO_8859_1);
    }
}
