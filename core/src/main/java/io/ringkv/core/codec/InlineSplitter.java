package io.ringkv.core.codec;

import org.agrona.MutableDirectBuffer;

/**
 * Splits one inline command line into arguments with Redis's quoting rules ({@code sdssplitargs}), decoding
 * quotes and escapes in place: the decoded text is never longer than its source, so it is written over the
 * line itself and the arguments stay slices of the read buffer.
 * <ul>
 *   <li>arguments are separated by spaces, tabs, CR or LF; a NUL byte ends the line;</li>
 *   <li>{@code "..."} understands {@code \n \r \t \b \a \\ \" \xHH}; any other escaped char stands for itself;</li>
 *   <li>{@code '...'} understands only {@code \'};</li>
 *   <li>a closing quote must be followed by white space or the end of the line, and an unterminated quote is an
 *       error: both are {@link #UNBALANCED}.</li>
 * </ul>
 * Used for inline commands and the config file (net) and for a function library's {@code #!lua} line (core).
 * Stateless; any thread.
 */
public final class InlineSplitter
{
    /**
     * Receives the arguments of one split line.
     */
    public interface Sink
    {
        /**
         * @param offset of the argument's first byte, in the split buffer.
         * @param length of the argument in bytes.
         */
        void addArg(int offset, int length);

        /**
         * The line is unbalanced: forget the arguments added since the split began.
         */
        void abandonRequest();
    }

    /** The line has unbalanced quotes. */
    public static final int UNBALANCED = -1;

    private InlineSplitter()
    {
    }

    /**
     * Split {@code [start, end)} of {@code buffer} in place and add each argument to the sink (a RequestBatch adds
     * them to its current request).
     *
     * @param buffer holding the line; rewritten in place.
     * @param start  index of the line's first byte.
     * @param end    index after the line's last byte (its CR LF excluded).
     * @param batch  receiving the arguments; on {@link #UNBALANCED} they are abandoned.
     * @return the number of arguments added, or {@link #UNBALANCED}.
     */
    public static int split(final MutableDirectBuffer buffer, final int start, final int end, final Sink batch)
    {
        int r = start;
        int w = start;
        int count = 0;
        while (true)
        {
            while (r < end && isSpace(buffer.getByte(r)))
            {
                r++;
            }
            if (r >= end || buffer.getByte(r) == 0)
            {
                return count;
            }

            final int argStart = w;
            boolean inDoubleQuotes = false;
            boolean inSingleQuotes = false;
            boolean done = false;
            while (!done)
            {
                final int c = at(buffer, r, end);
                if (inDoubleQuotes || inSingleQuotes)
                {
                    // The escapes differ by quote kind; the rest (closing quote, unbalanced end) is shared.
                    if (inDoubleQuotes && c == '\\' && at(buffer, r + 1, end) == 'x' &&
                        isHex(at(buffer, r + 2, end)) && isHex(at(buffer, r + 3, end)))
                    {
                        buffer.putByte(w++, (byte)((hex(at(buffer, r + 2, end)) << 4) | hex(at(buffer, r + 3, end))));
                        r += 3;
                    }
                    else if (inDoubleQuotes && c == '\\' && at(buffer, r + 1, end) != 0)
                    {
                        r++;
                        buffer.putByte(w++, unescape(at(buffer, r, end)));
                    }
                    else if (inSingleQuotes && c == '\\' && at(buffer, r + 1, end) == '\'')
                    {
                        r++;
                        buffer.putByte(w++, (byte)'\'');
                    }
                    else if (c == (inDoubleQuotes ? '"' : '\''))
                    {
                        final int next = at(buffer, r + 1, end);
                        if (next != 0 && !isSpace((byte)next))
                        {
                            return unbalanced(batch);
                        }
                        done = true;
                    }
                    else if (c == 0)
                    {
                        return unbalanced(batch);
                    }
                    else
                    {
                        buffer.putByte(w++, (byte)c);
                    }
                }
                else
                {
                    switch (c)
                    {
                        case ' ', '\n', '\r', '\t', 0 -> done = true;
                        case '"' -> inDoubleQuotes = true;
                        case '\'' -> inSingleQuotes = true;
                        default -> buffer.putByte(w++, (byte)c);
                    }
                }
                if (at(buffer, r, end) != 0)
                {
                    r++;
                }
            }
            batch.addArg(argStart, w - argStart);
            count++;
        }
    }

    private static int unbalanced(final Sink batch)
    {
        batch.abandonRequest();
        return UNBALANCED;
    }

    private static int at(final MutableDirectBuffer buffer, final int index, final int end)
    {
        return index < end ? buffer.getByte(index) & 0xFF : 0;
    }

    private static byte unescape(final int c)
    {
        return switch (c)
        {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> (byte)c;
        };
    }

    /**
     * C's {@code isspace} in the "C" locale.
     *
     * @param b the byte.
     * @return true for space, \t, \n, \v, \f, \r.
     */
    static boolean isSpace(final byte b)
    {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static boolean isHex(final int c)
    {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(final int c)
    {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
