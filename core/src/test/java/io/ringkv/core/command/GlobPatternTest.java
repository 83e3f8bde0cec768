package io.ringkv.core.command;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cases checked against redis-server 7.0.15's KEYS.
 */
class GlobPatternTest
{
    @Test
    void matchesLikeRedis()
    {
        check("*", "", false); // KEYS * short-circuits before matching; the matcher itself needs a byte
        check("*", "abc", true);
        check("**", "", false);
        check("a*", "a", true);
        check("a*b", "ab", true);
        check("a*b", "axxb", true);
        check("a*b", "axxbc", false);
        check("?", "", false);
        check("?", "x", true);
        check("[]]", "]", false);
        check("[\\]]", "]", true);
        check("a[b-]", "ab", true);
        check("[^", "a", true);
        check("a\\", "a", false);
        check("\\a", "a", true);
        check("[z-a]", "m", true);
        check("[^a-c]x", "dx", true);
        check("[^a-c]x", "bx", false);
        check("h\\*llo", "h*llo", true);
        check("h\\*llo", "hello", false);
        check("[a", "a", true);
        check("[a", "[a", false);
    }

    @Test
    void abusivePatternsFinish()
    {
        final String pattern = "a*".repeat(2000) + "b";
        final String string = "a".repeat(5000);
        check(pattern, string, false);
    }

    private static void check(final String pattern, final String string, final boolean expected)
    {
        final UnsafeBuffer p = new UnsafeBuffer(pattern.getBytes(StandardCharsets.ISO_8859_1));
        final UnsafeBuffer s = new UnsafeBuffer(string.getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(expected, GlobPattern.matches(p, 0, p.capacity(), s, 0, s.capacity()),
            "'" + pattern + "' vs '" + string + "'");
    }
}
