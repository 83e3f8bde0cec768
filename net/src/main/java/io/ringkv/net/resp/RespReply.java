package io.ringkv.net.resp;

import io.ringkv.core.codec.Utf8;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.Reply;
import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.net.codec.ReplyBuffer;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes replies as RESP2 or RESP3, following {@link ClientSession#protocolVersion()} at each call (so
 * {@code HELLO 3} takes effect from the next reply), into the connection's {@link ReplyBuffer}.
 * <p>
 * Nothing allocates: integers use a digit routine, doubles {@link RedisDoubleFormat}, frequent replies
 * ({@code +OK}, {@code :0}, {@code :1}, {@code $-1}, {@code *-1}, {@code _}, booleans) are cached byte arrays.
 * <p>
 * CLIENT REPLY: {@link #clientReplyOff()}, {@link #clientReplyOn()} and {@link #clientReplySkip()} implement
 * Redis's modes by rewinding the buffer to the request's start in {@link #endRequest(int)}, so a command's
 * reply is produced as usual and then discarded.
 * <p>
 * Only the engine thread calls the {@link Reply} methods, while the owning connection waits; the connection thread
 * drains {@link #output()} after the batch completes.
 */
public final class RespReply implements Reply
{
    private static final byte[] OK = ascii("+OK\r\n");
    private static final byte[] ZERO = ascii(":0\r\n");
    private static final byte[] ONE = ascii(":1\r\n");
    private static final byte[] NULL_BULK = ascii("$-1\r\n");
    private static final byte[] NULL_ARRAY = ascii("*-1\r\n");
    private static final byte[] NULL_RESP3 = ascii("_\r\n");
    private static final byte[] TRUE_RESP3 = ascii("#t\r\n");
    private static final byte[] FALSE_RESP3 = ascii("#f\r\n");
    private static final byte[] VERBATIM_TXT = ascii("txt:");

    private final ClientSession session;
    private final ReplyBuffer output;
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final ExpandableDirectByteBuffer doubleText = new ExpandableDirectByteBuffer(RedisDoubleFormat.MAX_LENGTH);
    private int requestStart;
    private boolean off;
    private int skipCount;

    /**
     * @param session the connection's session, read for the protocol version.
     * @param output  the connection's output buffer.
     */
    public RespReply(final ClientSession session, final ReplyBuffer output)
    {
        this.session = session;
        this.output = output;
    }

    /**
     * @return the buffer replies are appended to.
     */
    public ReplyBuffer output()
    {
        return output;
    }

    /**
     * CLIENT REPLY OFF: this request's reply and every later one is discarded until {@link #clientReplyOn()}.
     */
    public void clientReplyOff()
    {
        off = true;
    }

    /**
     * CLIENT REPLY ON: replies flow again, starting with this request's own.
     */
    public void clientReplyOn()
    {
        off = false;
        skipCount = 0;
    }

    /**
     * CLIENT REPLY SKIP: this request's reply and the next request's are discarded (no-op while OFF, as Redis).
     */
    public void clientReplySkip()
    {
        if (!off)
        {
            skipCount = 2;
        }
    }

    public void startRequest(final int requestIndex)
    {
        output.beginReply();
        requestStart = output.position();
    }

    public void endRequest(final int requestIndex)
    {
        output.endReply();
        if (off)
        {
            output.position(requestStart);
        }
        else if (skipCount > 0)
        {
            skipCount--;
            output.position(requestStart);
        }
    }

    public void ok()
    {
        output.putBytes(OK);
    }

    public void simpleString(final byte[] asciiText)
    {
        output.putByte((byte)'+');
        output.putBytes(asciiText);
        output.putCrLf();
    }

    /**
     * {@inheritDoc}
     * <p>
     * CR and LF in the message are replaced by spaces, as Redis's addReplyError does, so the framing holds.
     */
    public void error(final String message)
    {
        final ReplyBuffer output = this.output;
        final int length = message.length();
        output.ensureRoom(length + 3);
        output.putByte((byte)'-');
        for (int i = 0; i < length; i++)
        {
            final char c = message.charAt(i);
            output.putByte((byte)(c == '\r' || c == '\n' ? ' ' : c));
        }
        output.putCrLf();
    }

    public void integer(final long value)
    {
        if (value == 0)
        {
            output.putBytes(ZERO);
        }
        else if (value == 1)
        {
            output.putBytes(ONE);
        }
        else
        {
            header((byte)':', value);
        }
    }

    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        final ReplyBuffer output = this.output;
        output.ensureRoom(length + 24);
        header((byte)'$', length);
        output.putBytes(buffer, index, length);
        output.putCrLf();
    }

    public void bulk(final byte[] bytes)
    {
        final ReplyBuffer output = this.output;
        output.ensureRoom(bytes.length + 24);
        header((byte)'$', bytes.length);
        output.putBytes(bytes);
        output.putCrLf();
    }

    public void bulkInteger(final long value)
    {
        final ReplyBuffer output = this.output;
        output.ensureRoom(32);
        header((byte)'$', asciiLength(value));
        output.putLongAscii(value);
        output.putCrLf();
    }

    /**
     * @param value a long.
     * @return the number of chars of its decimal text, sign included.
     */
    static int asciiLength(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            return 20;
        }
        final long magnitude = Math.abs(value);
        int digits = 1;
        long bound = 10;
        while (digits < 19 && magnitude >= bound)
        {
            digits++;
            bound *= 10;
        }
        return value < 0 ? digits + 1 : digits;
    }

    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        bulk(buffer, index, length);
    }

    public void nil()
    {
        output.putBytes(session.protocolVersion() == ClientSession.PROTOCOL_RESP3 ? NULL_RESP3 : NULL_BULK);
    }

    public void nilArray()
    {
        output.putBytes(session.protocolVersion() == ClientSession.PROTOCOL_RESP3 ? NULL_RESP3 : NULL_ARRAY);
    }

    public void arrayHeader(final int count)
    {
        header((byte)'*', count);
    }

    public void pushHeader(final int count)
    {
        header(session.protocolVersion() == ClientSession.PROTOCOL_RESP3 ? (byte)'>' : (byte)'*', count);
    }

    public void mapHeader(final int pairs)
    {
        if (session.protocolVersion() == ClientSession.PROTOCOL_RESP3)
        {
            header((byte)'%', pairs);
        }
        else
        {
            header((byte)'*', 2L * pairs);
        }
    }

    public void setHeader(final int count)
    {
        header(session.protocolVersion() == ClientSession.PROTOCOL_RESP3 ? (byte)'~' : (byte)'*', count);
    }

    public boolean nestsPairs()
    {
        return session.protocolVersion() == ClientSession.PROTOCOL_RESP3;
    }

    public void doubleValue(final double value)
    {
        final int length = doubleFormat.format(value, doubleText, 0);
        final ReplyBuffer output = this.output;
        output.ensureRoom(length + 8);
        if (session.protocolVersion() == ClientSession.PROTOCOL_RESP3)
        {
            output.putByte((byte)',');
        }
        else
        {
            header((byte)'$', length);
        }
        output.putBytes(doubleText, 0, length);
        output.putCrLf();
    }

    public void bool(final boolean value)
    {
        if (session.protocolVersion() == ClientSession.PROTOCOL_RESP3)
        {
            output.putBytes(value ? TRUE_RESP3 : FALSE_RESP3);
        }
        else
        {
            output.putBytes(value ? ONE : ZERO);
        }
    }

    @Override
    public void bigNumber(final CharSequence digits)
    {
        if (session.protocolVersion() != ClientSession.PROTOCOL_RESP3)
        {
            bulk(digits.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return;
        }
        final ReplyBuffer output = this.output;
        output.ensureRoom(digits.length() + 8);
        output.putByte((byte)'(');
        for (int i = 0; i < digits.length(); i++)
        {
            output.putByte((byte)digits.charAt(i));
        }
        output.putCrLf();
    }

    public void verbatimText(final CharSequence text)
    {
        final int utf8Length = Utf8.encodedLength(text);
        final ReplyBuffer output = this.output;
        output.ensureRoom(utf8Length + 32);
        if (session.protocolVersion() == ClientSession.PROTOCOL_RESP3)
        {
            header((byte)'=', utf8Length + 4L);
            output.putBytes(VERBATIM_TXT);
        }
        else
        {
            header((byte)'$', utf8Length);
        }
        final int position = output.position();
        output.position(position + Utf8.putChars(text, output.buffer(), position));
        output.putCrLf();
    }

    private void header(final byte type, final long value)
    {
        final ReplyBuffer output = this.output;
        output.putByte(type);
        output.putLongAscii(value);
        output.putCrLf();
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
