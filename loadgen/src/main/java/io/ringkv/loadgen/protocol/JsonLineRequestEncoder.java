package io.ringkv.loadgen.protocol;

import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.ValuePool;
import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;

/**
 * JSON-lines requests: {@code {"cmd":"get","key":"k"}}, {@code {"cmd":"set","key":"k","value":"v"}} for the
 * simple commands and {@code {"cmd":"MGET","args":["a","b"]}} for the rest, one per line. Strings are escaped
 * byte by byte as they are written, so nothing is allocated; value pools for JSON hold printable bytes only.
 * Stateless; any thread.
 */
public final class JsonLineRequestEncoder implements RequestEncoder
{
    private static final byte[] CMD = ascii("{\"cmd\":");
    private static final byte[] KEY = ascii(",\"key\":");
    private static final byte[] VALUE = ascii(",\"value\":");
    private static final byte[] ARGS = ascii(",\"args\":[");
    private static final byte[] HEX = ascii("0123456789abcdef");

    @Override
    public int encode(
        final ByteBuffer buffer, final int index, final CommandTemplate command, final RequestArguments args)
    {
        int i = put(buffer, index, CMD);
        final int shape = command.jsonShape();
        if (shape == CommandTemplate.JSON_GENERIC)
        {
            i = string(buffer, i, command.literal(0));
            i = put(buffer, i, ARGS);
            for (int a = 1; a < command.argumentCount(); a++)
            {
                if (a > 1)
                {
                    buffer.put(i++, (byte)',');
                }
                i = argument(buffer, i, command, a, args);
            }
            buffer.put(i++, (byte)']');
        }
        else
        {
            i = string(buffer, i, command.nameBytes());
            i = put(buffer, i, KEY);
            i = argument(buffer, i, command, 1, args);
            if (shape == CommandTemplate.JSON_KEY_VALUE)
            {
                i = put(buffer, i, VALUE);
                i = argument(buffer, i, command, 2, args);
            }
        }
        buffer.put(i++, (byte)'}');
        buffer.put(i++, (byte)'\n');
        return i;
    }

    @Override
    public int encodeWords(final ByteBuffer buffer, final int index, final String... words)
    {
        int i = put(buffer, index, CMD);
        i = string(buffer, i, words[0].getBytes(StandardCharsets.UTF_8));
        i = put(buffer, i, ARGS);
        for (int a = 1; a < words.length; a++)
        {
            if (a > 1)
            {
                buffer.put(i++, (byte)',');
            }
            i = string(buffer, i, words[a].getBytes(StandardCharsets.UTF_8));
        }
        buffer.put(i++, (byte)']');
        buffer.put(i++, (byte)'}');
        buffer.put(i++, (byte)'\n');
        return i;
    }

    private static int argument(
        final ByteBuffer buffer,
        final int index,
        final CommandTemplate command,
        final int a,
        final RequestArguments args)
    {
        int i = index;
        switch (command.kind(a))
        {
            case CommandTemplate.KEY ->
            {
                final KeyFormat format = args.keyFormat();
                buffer.put(i++, (byte)'"');
                i = escaped(buffer, i, format.prefix());
                i = format.writeNumber(buffer, i, args.nextKey());
                buffer.put(i++, (byte)'"');
            }
            case CommandTemplate.VALUE ->
            {
                final ValuePool values = args.values();
                final int length = values.nextLength(args.random());
                buffer.put(i++, (byte)'"');
                buffer.put(i, values.bytes(), values.nextOffset(args.random()), length);
                i += length;
                buffer.put(i++, (byte)'"');
            }
            case CommandTemplate.RAND ->
            {
                buffer.put(i++, (byte)'"');
                i = AsciiDigits.put(buffer, i, args.nextRand());
                buffer.put(i++, (byte)'"');
            }
            default -> i = string(buffer, i, command.literal(a));
        }
        return i;
    }

    private static int string(final ByteBuffer buffer, final int index, final byte[] bytes)
    {
        buffer.put(index, (byte)'"');
        final int i = escaped(buffer, index + 1, bytes);
        buffer.put(i, (byte)'"');
        return i + 1;
    }

    private static int escaped(final ByteBuffer buffer, final int index, final byte[] bytes)
    {
        int i = index;
        for (final byte b : bytes)
        {
            if (b == '"' || b == '\\')
            {
                buffer.put(i++, (byte)'\\');
                buffer.put(i++, b);
            }
            else if (b >= 0 && b < 0x20)
            {
                buffer.put(i++, (byte)'\\');
                buffer.put(i++, (byte)'u');
                buffer.put(i++, (byte)'0');
                buffer.put(i++, (byte)'0');
                buffer.put(i++, HEX[b >> 4]);
                buffer.put(i++, HEX[b & 0xF]);
            }
            else
            {
                buffer.put(i++, b);
            }
        }
        return i;
    }

    private static int put(final ByteBuffer buffer, final int index, final byte[] bytes)
    {
        buffer.put(index, bytes);
        return index + bytes.length;
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
