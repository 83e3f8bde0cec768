package io.ringkv.loadgen.protocol;

import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.ValuePool;
import java.nio.ByteBuffer;

import java.nio.charset.StandardCharsets;

/**
 * RESP requests: an array of bulk strings, {@code *2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n}. Stateless;
 * any thread.
 */
public final class RespRequestEncoder implements RequestEncoder
{
    @Override
    public int encode(
        final ByteBuffer buffer, final int index, final CommandTemplate command, final RequestArguments args)
    {
        final int count = command.argumentCount();
        int i = header(buffer, index, (byte)'*', count);
        for (int a = 0; a < count; a++)
        {
            switch (command.kind(a))
            {
                case CommandTemplate.KEY ->
                {
                    final KeyFormat format = args.keyFormat();
                    i = header(buffer, i, (byte)'$', format.length());
                    i = format.write(buffer, i, args.nextKey());
                }
                case CommandTemplate.VALUE ->
                {
                    final ValuePool values = args.values();
                    final int length = values.nextLength(args.random());
                    i = header(buffer, i, (byte)'$', length);
                    buffer.put(i, values.bytes(), values.nextOffset(args.random()), length);
                    i += length;
                }
                case CommandTemplate.RAND ->
                {
                    final long value = args.nextRand();
                    i = header(buffer, i, (byte)'$', AsciiDigits.length(value));
                    i = AsciiDigits.put(buffer, i, value);
                }
                default ->
                {
                    final byte[] literal = command.literal(a);
                    i = header(buffer, i, (byte)'$', literal.length);
                    buffer.put(i, literal);
                    i += literal.length;
                }
            }
            i = crlf(buffer, i);
        }
        return i;
    }

    @Override
    public int encodeWords(final ByteBuffer buffer, final int index, final String... words)
    {
        int i = header(buffer, index, (byte)'*', words.length);
        for (final String word : words)
        {
            final byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            i = header(buffer, i, (byte)'$', bytes.length);
            buffer.put(i, bytes);
            i += bytes.length;
            i = crlf(buffer, i);
        }
        return i;
    }

    private static int header(final ByteBuffer buffer, final int index, final byte type, final int value)
    {
        buffer.put(index, type);
        return crlf(buffer, AsciiDigits.put(buffer, index + 1, value));
    }

    private static int crlf(final ByteBuffer buffer, final int index)
    {
        buffer.put(index, (byte)'\r');
        buffer.put(index + 1, (byte)'\n');
        return index + 2;
    }
}
