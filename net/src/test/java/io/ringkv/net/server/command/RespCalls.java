package io.ringkv.net.server.command;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.exceptions.JedisDataException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Sends any command through Jedis and turns the reply into comparable text, so that one test can send the same
 * command to ringkv and to Redis and compare what they answer, errors included.
 */
final class RespCalls
{
    private RespCalls()
    {
    }

    /**
     * @param jedis connection.
     * @param words command name and arguments: String (sent as ISO-8859-1) or byte[].
     * @return the reply as text: status/bulk as its bytes, integers as digits, nil as "(nil)", errors as
     * "(error) TEXT", arrays as a list.
     */
    static Object call(final Jedis jedis, final Object... words)
    {
        final byte[] name = bytes(words[0]);
        final byte[][] args = new byte[words.length - 1][];
        for (int i = 1; i < words.length; i++)
        {
            args[i - 1] = bytes(words[i]);
        }
        final ProtocolCommand command = () -> name;
        try
        {
            return text(jedis.sendCommand(command, args));
        }
        catch (final JedisDataException ex)
        {
            return "(error) " + ex.getMessage();
        }
    }

    static byte[] bytes(final Object word)
    {
        return word instanceof byte[] raw ? raw : String.valueOf(word).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Object text(final Object reply)
    {
        if (reply == null)
        {
            return "(nil)";
        }
        if (reply instanceof byte[] raw)
        {
            return new String(raw, StandardCharsets.ISO_8859_1);
        }
        if (reply instanceof List<?> list)
        {
            final List<Object> out = new ArrayList<>();
            for (final Object element : list)
            {
                out.add(text(element));
            }
            return out;
        }
        return reply;
    }
}
