package io.ringkv.core.script.lib;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.ringkv.core.command.RedisTranscriptClient;
import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import party.iroiro.luajava.Lua;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every case of {@code lua-library-cases.txt} (cjson, cmsgpack, bit and struct calls, ordinary and hostile) runs in a
 * real redis-server 7.0.15 and in a Lua state with {@link LuaLibraries}; what each returns or raises must be the same
 * bytes, error texts and positions included.
 */
class LuaLibrariesDifferentialTest
{
    @AutoClose
    private static RedisServerProcess redisProcess;

    @BeforeAll
    static void start() throws Exception
    {
        redisProcess = RedisServerProcess.start();
    }

    private static List<String> cases() throws IOException
    {
        try (InputStream in = LuaLibrariesDifferentialTest.class.getResourceAsStream("/lua-library-cases.txt"))
        {
            final String text = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            final List<String> cases = new ArrayList<>();
            for (final String line : text.split("\n"))
            {
                if (!line.isBlank() && !line.startsWith("#"))
                {
                    cases.add(line);
                }
            }
            return cases;
        }
    }

    @Test
    void everyCaseMatchesRedisByteForByte() throws Exception
    {
        final List<String> cases = cases();
        assertTrue(cases.size() > 200, "the case file was read");
        assertSameAsRedis(cases);
    }

    /**
     * Generated cases (fixed seed): doubles of every magnitude through cjson's %.14g, cmsgpack's type choices and
     * struct's conversions; random bytes through the encoders; mutated JSON and MessagePack through the decoders.
     */
    @Test
    void generatedCasesMatchRedisByteForByte() throws Exception
    {
        final Random random = new Random(14);
        final List<String> cases = new ArrayList<>();
        for (int i = 0; i < 150; i++)
        {
            final StringBuilder numbers = new StringBuilder();
            for (int j = 0; j < 12; j++)
            {
                numbers.append(j == 0 ? "" : ", ").append(luaNumber(randomDouble(random)));
            }
            cases.add("local t = {" + numbers + "} return cjson.encode(t), cmsgpack.pack(unpack(t))");
            cases.add("local t = {" + numbers + "} return struct.pack('<d>f<i4>I2b>l', t[1], t[2], t[3], t[4], t[5], t[6])");
            cases.add("local t = {" + numbers + "} return bit.tobit(t[1]), bit.tohex(t[2]), bit.band(t[3], t[4]), "
                + "bit.rol(t[5], t[6])");
            cases.add("return cjson.decode('[" + jsonNumber(random) + "," + jsonNumber(random) + "]')");
            final byte[] bytes = new byte[random.nextInt(40)];
            random.nextBytes(bytes);
            cases.add("local s = " + luaString(bytes) + " return cjson.encode(s), cmsgpack.pack(s), "
                + "cmsgpack.unpack(cmsgpack.pack(s)) == s");
            cases.add("return cmsgpack.unpack(" + luaString(bytes) + ")");
            cases.add("return cjson.decode(" + luaString(mutate(random, VALID_JSON)) + ")");
            cases.add("return cmsgpack.unpack(" + luaString(mutate(random, VALID_MSGPACK)) + ")");
            cases.add("return struct.unpack('>i2 <I3 b c2 d', " + luaString(bytes) + ")");
        }
        assertSameAsRedis(cases);
    }

    private static final byte[] VALID_JSON =
        "{\"a\":[1,2.5,-3e10,true,false,null],\"b\":{\"c\":\"d\\u00e9\\n\"},\"e\":[]}".getBytes(StandardCharsets.ISO_8859_1);
    private static final byte[] VALID_MSGPACK = {
        (byte) 0x83, (byte) 0xa1, 'a', (byte) 0x93, 1, (byte) 0xcb, 0x3f, (byte) 0xf8, 0, 0, 0, 0, 0, 0, (byte) 0xc0,
        (byte) 0xa1, 'b', (byte) 0x81, (byte) 0xcd, 1, 0, (byte) 0xc3, (byte) 0xa1, 'c', (byte) 0xd9, 3, 'x', 'y', 'z'};

    private static byte[] mutate(final Random random, final byte[] valid)
    {
        final byte[] copy = valid.clone();
        final int edits = 1 + random.nextInt(3);
        for (int i = 0; i < edits; i++)
        {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return random.nextInt(4) == 0 ? Arrays.copyOf(copy, random.nextInt(copy.length)) : copy;
    }

    private static double randomDouble(final Random random)
    {
        return switch (random.nextInt(6))
        {
            case 0 -> random.nextInt(2000) - 1000;
            case 1 -> (random.nextDouble() - 0.5) * Math.pow(10, random.nextInt(40) - 20);
            case 2 -> random.nextLong() / Math.pow(2, random.nextInt(64));
            case 3 ->
            {
                double d;
                do
                {
                    d = Double.longBitsToDouble(random.nextLong());
                }
                while (Double.isNaN(d) || Double.isInfinite(d));
                yield d;
            }
            case 4 -> Math.round(random.nextDouble() * 1e6) / 1e3;
            default -> (double) (random.nextLong() >> random.nextInt(63));
        };
    }

    private static String luaNumber(final double d)
    {
        return d == 0 && 1 / d < 0 ? "-0.0" : String.format("%.17g", d).replace("+", "");
    }

    private static String jsonNumber(final Random random)
    {
        final String[] forms = {"%d", "%d.%d", "-%d.%de%d", "%de-%d", "0.%d", "%d.%dE+%d"};
        final String form = forms[random.nextInt(forms.length)];
        return String.format(form, random.nextInt(1_000_000), random.nextInt(1000), random.nextInt(400))
            .replace("e-0", "e-1");
    }

    private static String luaString(final byte[] bytes)
    {
        final StringBuilder out = new StringBuilder("'");
        for (final byte b : bytes)
        {
            out.append('\\').append(b & 0xff);
        }
        return out.append('\'').toString();
    }

    /**
     * Runs every case in redis-server and locally (on a small stack), and fails listing each that differs.
     */
    private static void assertSameAsRedis(final List<String> cases) throws Exception
    {
        final List<String> mismatches = new ArrayList<>();
        LuaScriptHarness.onSmallStack(() ->
        {
            try (Lua lua = LuaScriptHarness.newState();
                 Socket socket = new Socket(InetAddress.getLoopbackAddress(), redisProcess.port()))
            {
                final RedisTranscriptClient redis = new RedisTranscriptClient(socket);
                for (final String body : cases)
                {
                    final byte[] expected = LuaScriptHarness.runInRedis(redis, body);
                    final byte[] actual = LuaScriptHarness.runLocally(lua, body);
                    if (!Arrays.equals(expected, actual))
                    {
                        mismatches.add(body + "\n    redis:  " + shorten(expected) + "\n    ringkv: " + shorten(actual));
                    }
                }
            }
        });
        assertEquals("", String.join("\n", mismatches), mismatches.size() + " of " + cases.size() + " cases differ");
    }

    private static String shorten(final byte[] bytes)
    {
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return text.length() > 400 ? text.substring(0, 400) + "...(" + text.length() + ")" : text;
    }
}
