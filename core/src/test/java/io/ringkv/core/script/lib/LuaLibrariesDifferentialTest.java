package io.ringkv.core.script.lib;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
        final List<String> mismatches = new ArrayList<>();
        LuaScriptHarness.onEngineSizedStack(() ->
        {
            try (Lua lua = LuaScriptHarness.newState();
                 LuaScriptHarness.Redis redis = new LuaScriptHarness.Redis(redisProcess.port()))
            {
                for (final String body : cases)
                {
                    final byte[] expected = redis.eval(body);
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
