package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * Flyweight over the arguments of one request in a {@link ParsedRequests}; argument 0 is the command name.
 * Not threadsafe: the engine thread owns one and re-wraps it for every request.
 */
public final class CommandArgs
{
    private ParsedRequests batch;
    private int firstArg;
    private int count;
    private byte valueKind;
    private int requestIndex;

    /**
     * Point this flyweight at request {@code requestIndex} of {@code batch}.
     *
     * @param batch        holding the request.
     * @param requestIndex index of the request within the batch.
     * @return this for chaining.
     */
    public CommandArgs wrap(final ParsedRequests batch, final int requestIndex)
    {
        this.batch = batch;
        this.firstArg = batch.firstArg(requestIndex);
        this.count = batch.argCount(requestIndex);
        this.valueKind = batch.valueKind(requestIndex);
        this.requestIndex = requestIndex;
        return this;
    }

    /**
     * @return index of the request within its batch.
     */
    public int requestIndex()
    {
        return requestIndex;
    }

    /**
     * @return true when no request of the same batch follows this one (its reply is the batch's last).
     */
    public boolean lastOfBatch()
    {
        return requestIndex == batch.requestCount() - 1;
    }

    /**
     * @return number of arguments including the command name.
     */
    public int count()
    {
        return count;
    }

    /**
     * @return the buffer every argument is a slice of.
     */
    public DirectBuffer buffer()
    {
        return batch.argBuffer();
    }

    public int offset(final int i)
    {
        return batch.argOffset(firstArg + i);
    }

    public int length(final int i)
    {
        return batch.argLength(firstArg + i);
    }

    /**
     * @return how the request's value argument is to be stored, one of {@code ParsedRequests.VALUE_*}.
     */
    public byte valueKind()
    {
        return valueKind;
    }

    /**
     * Case-insensitive comparison of argument {@code i} with an upper-case ASCII token, without allocating.
     *
     * @param i          argument index.
     * @param upperToken token in upper case, e.g. {@code "NX".getBytes(US_ASCII)}.
     * @return true when they are equal ignoring ASCII case.
     */
    public boolean equalsIgnoreCase(final int i, final byte[] upperToken)
    {
        final int length = length(i);
        if (length != upperToken.length)
        {
            return false;
        }
        final DirectBuffer buffer = batch.argBuffer();
        final int offset = offset(i);
        for (int j = 0; j < length; j++)
        {
            int b = buffer.getByte(offset + j);
            if (b >= 'a' && b <= 'z')
            {
                b -= 32;
            }
            if (b != upperToken[j])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Copy of argument {@code i} as a String (ISO-8859-1, byte for char). Allocates: for error texts and
     * rare commands only.
     *
     * @param i argument index.
     * @return the argument's bytes as chars.
     */
    public String asString(final int i)
    {
        final int length = length(i);
        final byte[] bytes = new byte[length];
        batch.argBuffer().getBytes(offset(i), bytes, 0, length);
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
