package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * Redis's glob matching (util.c stringmatchlen) over byte slices, for KEYS and SCAN MATCH: {@code *} any run,
 * {@code ?} one byte, {@code [abc]}, {@code [^abc]}, {@code [a-z]} (reversed ranges allowed), {@code \x} escapes
 * inside and outside classes, an unclosed class runs to the end of the pattern. Bytes compare as signed chars,
 * as Redis's do on x86. Stateless and allocation-free; any thread may call it.
 */
public final class GlobPattern
{
    /** Redis stops matching patterns nested deeper than this (abusive patterns like "a*a*a*...b"). */
    private static final int MAX_NESTING = 1000;

    private GlobPattern()
    {
    }

    /**
     * @param pattern       buffer holding the pattern.
     * @param patternOffset of its first byte.
     * @param patternLength its length.
     * @param string        buffer holding the string.
     * @param stringOffset  of its first byte.
     * @param stringLength  its length.
     * @return true when the whole string matches the pattern (case-sensitive).
     */
    public static boolean matches(
        final DirectBuffer pattern, final int patternOffset, final int patternLength,
        final DirectBuffer string, final int stringOffset, final int stringLength)
    {
        return match(pattern, patternOffset, patternLength, string, stringOffset, stringLength, 0) == MATCH;
    }

    /**
     * @param pattern       buffer holding the pattern.
     * @param patternOffset of its first byte.
     * @param patternLength its length.
     * @return true when the pattern is exactly "*" (every key matches; Redis skips matching then).
     */
    public static boolean matchesAll(final DirectBuffer pattern, final int patternOffset, final int patternLength)
    {
        return patternLength == 1 && pattern.getByte(patternOffset) == '*';
    }

    private static final int MATCH = 1;
    private static final int NO_MATCH = 0;
    /** No match, and no match is possible for a longer prefix either: every enclosing '*' gives up too. */
    private static final int NO_MATCH_SKIP_LONGER = -1;

    private static int match(
        final DirectBuffer pattern, final int patternStart, final int patternLengthStart,
        final DirectBuffer string, final int stringStart, final int stringLengthStart, final int nesting)
    {
        if (nesting > MAX_NESTING)
        {
            return NO_MATCH;
        }
        int p = patternStart;
        int pLen = patternLengthStart;
        int s = stringStart;
        int sLen = stringLengthStart;

        while (pLen > 0 && sLen > 0)
        {
            final byte pc = pattern.getByte(p);
            switch (pc)
            {
                case '*':
                    while (pLen > 1 && pattern.getByte(p + 1) == '*')
                    {
                        p++;
                        pLen--;
                    }
                    if (pLen == 1)
                    {
                        return MATCH;
                    }
                    while (sLen > 0)
                    {
                        final int result = match(pattern, p + 1, pLen - 1, string, s, sLen, nesting + 1);
                        if (result != NO_MATCH)
                        {
                            return result;
                        }
                        s++;
                        sLen--;
                    }
                    // No match here means no match for a longer prefix either: stop the callers' loops too.
                    return NO_MATCH_SKIP_LONGER;

                case '?':
                    s++;
                    sLen--;
                    break;

                case '[':
                {
                    p++;
                    pLen--;
                    final boolean not = pLen > 0 && pattern.getByte(p) == '^';
                    if (not)
                    {
                        p++;
                        pLen--;
                    }
                    boolean matched = false;
                    final byte c = string.getByte(s);
                    while (true)
                    {
                        if (pLen == 0)
                        {
                            // Unclosed class: step back so the common advance below lands at the end.
                            p--;
                            pLen++;
                            break;
                        }
                        final byte cc = pattern.getByte(p);
                        if (cc == '\\' && pLen >= 2)
                        {
                            p++;
                            pLen--;
                            if (pattern.getByte(p) == c)
                            {
                                matched = true;
                            }
                        }
                        else if (cc == ']')
                        {
                            break;
                        }
                        else if (pLen >= 3 && pattern.getByte(p + 1) == '-')
                        {
                            byte start = cc;
                            byte end = pattern.getByte(p + 2);
                            if (start > end)
                            {
                                final byte t = start;
                                start = end;
                                end = t;
                            }
                            p += 2;
                            pLen -= 2;
                            if (c >= start && c <= end)
                            {
                                matched = true;
                            }
                        }
                        else if (cc == c)
                        {
                            matched = true;
                        }
                        p++;
                        pLen--;
                    }
                    if (not)
                    {
                        matched = !matched;
                    }
                    if (!matched)
                    {
                        return NO_MATCH;
                    }
                    s++;
                    sLen--;
                    break;
                }

                case '\\':
                    if (pLen >= 2)
                    {
                        p++;
                        pLen--;
                    }
                    if (pattern.getByte(p) != string.getByte(s))
                    {
                        return NO_MATCH;
                    }
                    s++;
                    sLen--;
                    break;

                default:
                    if (pc != string.getByte(s))
                    {
                        return NO_MATCH;
                    }
                    s++;
                    sLen--;
                    break;
            }
            p++;
            pLen--;
            if (sLen == 0)
            {
                while (pLen > 0 && pattern.getByte(p) == '*')
                {
                    p++;
                    pLen--;
                }
                break;
            }
        }
        return pLen == 0 && sLen == 0 ? MATCH : NO_MATCH;
    }
}
