package io.ringkv.net.server.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a configuration line into words with Redis's sdssplitargs rules: words separated by white space;
 * {@code "..."} with the escapes {@code \n \r \t \b \a \\ \" \xHH}; {@code '...'} with {@code \'}; a closing quote
 * must be followed by white space or the end of the line.
 * <p>
 * Stateless and threadsafe; for configuration text, not for requests (those are split in place by the RESP parser).
 */
final class ArgumentSplitter
{
    private ArgumentSplitter()
    {
    }

    /**
     * @param line the text.
     * @return the words, or null when quotes are unbalanced.
     */
    static List<String> split(final String line)
    {
        final List<String> words = new ArrayList<>();
        final int length = line.length();
        int i = 0;
        while (true)
        {
            while (i < length && Character.isWhitespace(line.charAt(i)))
            {
                i++;
            }
            if (i == length)
            {
                return words;
            }
            final StringBuilder word = new StringBuilder();
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            while (!done)
            {
                if (inDouble)
                {
                    if (i == length)
                    {
                        return null;
                    }
                    final char c = line.charAt(i);
                    if (c == '\\' && i + 3 < length && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) &&
                        isHex(line.charAt(i + 3)))
                    {
                        word.append((char)Integer.parseInt(line.substring(i + 2, i + 4), 16));
                        i += 3;
                    }
                    else if (c == '\\' && i + 1 < length)
                    {
                        i++;
                        word.append(unescape(line.charAt(i)));
                    }
                    else if (c == '"')
                    {
                        if (i + 1 < length && !Character.isWhitespace(line.charAt(i + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        word.append(c);
                    }
                }
                else if (inSingle)
                {
                    if (i == length)
                    {
                        return null;
                    }
                    final char c = line.charAt(i);
                    if (c == '\\' && i + 1 < length && line.charAt(i + 1) == '\'')
                    {
                        i++;
                        word.append('\'');
                    }
                    else if (c == '\'')
                    {
                        if (i + 1 < length && !Character.isWhitespace(line.charAt(i + 1)))
                        {
                            return null;
                        }
                        done = true;
                    }
                    else
                    {
                        word.append(c);
                    }
                }
                else if (i == length)
                {
                    done = true;
                }
                else
                {
                    final char c = line.charAt(i);
                    if (Character.isWhitespace(c))
                    {
                        done = true;
                    }
                    else if (c == '"')
                    {
                        inDouble = true;
                    }
                    else if (c == '\'')
                    {
                        inSingle = true;
                    }
                    else
                    {
                        word.append(c);
                    }
                }
                if (i < length)
                {
                    i++;
                }
            }
            words.add(word.toString());
        }
    }

    private static boolean isHex(final char c)
    {
        return Character.digit(c, 16) >= 0;
    }

    private static char unescape(final char c)
    {
        switch (c)
        {
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'b':
                return '\b';
            case 'a':
                return (char)7;
            default:
                return c;
        }
    }
}
