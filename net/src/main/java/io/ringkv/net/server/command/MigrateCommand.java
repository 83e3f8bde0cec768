package io.ringkv.net.server.command;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.DumpCommands;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * {@code MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE] [AUTH password] [AUTH2 username password]
 * [KEYS key ...]} with Redis 7's semantics and texts: the keys are DUMPed, sent to the target (another ringkv or a
 * Redis) as one pipeline of AUTH, SELECT and RESTORE commands (RESTORE ... REPLACE when asked), and, without COPY,
 * deleted here only once the target acknowledged their RESTORE. A key the target refused, and every key after a
 * connection failure, stays in place; the reply says why.
 * <p>
 * Like Redis, MIGRATE runs synchronously: the engine thread does the network I/O, so the server answers nobody
 * else while it runs. Every step (connect, each write, each reply line) is bounded by the command's timeout, which
 * makes the stall bounded too. Unlike Redis, ringkv keeps no cached connection: each MIGRATE opens and closes its
 * own (so it always sends SELECT, as Redis does on a fresh connection). See docs/dump-format.md.
 * <p>
 * Only the engine thread calls the handler; the instance holds reusable buffers for it.
 */
public final class MigrateCommand
{
    static final String IOERR_CONNECT = "IOERR error or timeout connecting to the client";
    static final String IOERR_WRITE = "IOERR error or timeout writing to target instance";
    static final String IOERR_READ = "IOERR error or timeout reading to target instance";
    static final String KEYS_NEED_EMPTY_KEY =
        "ERR When using MIGRATE KEYS option, the key argument must be set to the empty string";
    static final String TARGET_ERROR = "ERR Target instance replied with error: ";

    private static final long DEFAULT_TIMEOUT_MS = 1000;
    private static final long MAX_TIMEOUT_MS = Integer.MAX_VALUE;
    private static final int RETAINED_BUFFER_CAPACITY = 1024 * 1024;
    private static final int SEND_CHUNK_LENGTH = 64 * 1024;
    private static final byte[] NOKEY = ascii("NOKEY");
    private static final byte[] COPY = ascii("COPY");
    private static final byte[] REPLACE = ascii("REPLACE");
    private static final byte[] AUTH = ascii("AUTH");
    private static final byte[] AUTH2 = ascii("AUTH2");
    private static final byte[] KEYS = ascii("KEYS");
    private static final byte[] SELECT = ascii("SELECT");
    private static final byte[] RESTORE = ascii("RESTORE");

    /** malloc'd, so memory a large MIGRATE grew it by is freed the moment the command ends, not at a GC. */
    private final ExpandableOffHeapBuffer request = new ExpandableOffHeapBuffer(4096);
    private ByteBuffer chunk;
    private UnsafeBuffer chunkView;
    private int[] sentKeys = new int[16];
    private int requestLength;

    private MigrateCommand()
    {
    }

    /**
     * @param table to register MIGRATE in.
     */
    public static void register(final CommandTable table)
    {
        table.register("migrate", -6, Command.WRITE, new MigrateCommand()::migrate);
    }

    private void migrate(final CommandContext context, final CommandArgs args, final Reply reply)
    {
        boolean copy = false;
        boolean replace = false;
        int usernameIndex = -1;
        int passwordIndex = -1;
        int firstKey = 3;
        int keyCount = 1;
        final int count = args.count();
        for (int j = 6; j < count; j++)
        {
            final int moreArgs = count - 1 - j;
            if (args.equalsIgnoreCase(j, COPY))
            {
                copy = true;
            }
            else if (args.equalsIgnoreCase(j, REPLACE))
            {
                replace = true;
            }
            else if (args.equalsIgnoreCase(j, AUTH) && moreArgs >= 1)
            {
                passwordIndex = ++j;
                context.redactArgument(passwordIndex);
            }
            else if (args.equalsIgnoreCase(j, AUTH2) && moreArgs >= 2)
            {
                usernameIndex = ++j;
                passwordIndex = ++j;
                context.redactArgument(usernameIndex);
                context.redactArgument(passwordIndex);
            }
            else if (args.equalsIgnoreCase(j, KEYS))
            {
                if (args.length(3) != 0)
                {
                    reply.error(KEYS_NEED_EMPTY_KEY);
                    return;
                }
                firstKey = j + 1;
                keyCount = count - j - 1;
                break;
            }
            else
            {
                reply.error(ErrorMessages.SYNTAX);
                return;
            }
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 5))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        // Capped at ~24 days so that deadlines in nanoseconds cannot overflow; Redis takes any positive long.
        final long timeoutMs = numbers.value() <= 0 ? DEFAULT_TIMEOUT_MS : Math.min(numbers.value(), MAX_TIMEOUT_MS);
        if (!numbers.parseLong(args, 4))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long targetDb = numbers.value();

        final int sent = buildRequest(context, args, firstKey, keyCount, replace, usernameIndex, passwordIndex,
            targetDb);
        if (sent == 0)
        {
            reply.simpleString(NOKEY);
            return;
        }
        try (MigrateTargetLink link = new MigrateTargetLink())
        {
            final int connected = link.connect(args.asString(1), args.asString(2), timeoutMs);
            if (connected == MigrateTargetLink.CONNECT_FAILED)
            {
                reply.error(IOERR_CONNECT);
                return;
            }
            if (connected == MigrateTargetLink.CONNECT_REFUSED || !send(link, timeoutMs))
            {
                reply.error(IOERR_WRITE);
                return;
            }
            exchangeReplies(context, args, link, sent, copy, passwordIndex >= 0, timeoutMs, reply);
        }
        finally
        {
            releaseIfLarge();
        }
    }

    /**
     * Read the AUTH and SELECT replies, then one reply per RESTORE; delete each acknowledged key unless COPY.
     */
    private void exchangeReplies(
        final CommandContext context, final CommandArgs args, final MigrateTargetLink link, final int sent,
        final boolean copy, final boolean auth, final long timeoutMs, final Reply reply)
    {
        final String authReply = auth ? link.readLine(timeoutMs) : "+OK";
        if (null == authReply)
        {
            reply.error(IOERR_READ);
            return;
        }
        final String selectReply = link.readLine(timeoutMs);
        if (null == selectReply)
        {
            reply.error(IOERR_READ);
            return;
        }
        String targetError = null;
        for (int j = 0; j < sent; j++)
        {
            final String restoreReply = link.readLine(timeoutMs);
            if (null == restoreReply)
            {
                // Keys acknowledged so far are gone from here; the rest stay.
                reply.error(null != targetError ? targetError : IOERR_READ);
                return;
            }
            final String error = isError(authReply) ? authReply : isError(selectReply) ? selectReply :
                isError(restoreReply) ? restoreReply : null;
            if (null != error)
            {
                if (null == targetError)
                {
                    targetError = TARGET_ERROR + error.substring(1);
                }
            }
            else if (!copy)
            {
                final int keyIndex = sentKeys[j];
                DumpCommands.deleteKey(context, args.buffer(), args.offset(keyIndex), args.length(keyIndex));
            }
        }
        if (null != targetError)
        {
            reply.error(targetError);
        }
        else
        {
            reply.ok();
        }
    }

    /**
     * Write AUTH, SELECT and a RESTORE per live key into {@link #request}.
     *
     * @return number of RESTOREs written (their key argument indexes are in {@link #sentKeys}); 0 for none.
     */
    private int buildRequest(
        final CommandContext context, final CommandArgs args, final int firstKey, final int keyCount,
        final boolean replace, final int usernameIndex, final int passwordIndex, final long targetDb)
    {
        final DirectBuffer argBuffer = args.buffer();
        final long nowMs = context.nowMs();
        requestLength = 0;
        if (passwordIndex >= 0)
        {
            arrayHeader(usernameIndex >= 0 ? 3 : 2);
            bulk(AUTH);
            if (usernameIndex >= 0)
            {
                bulk(argBuffer, args.offset(usernameIndex), args.length(usernameIndex));
            }
            bulk(argBuffer, args.offset(passwordIndex), args.length(passwordIndex));
        }
        arrayHeader(2);
        bulk(SELECT);
        bulkLong(targetDb);

        // The context's payload buffer expands as the writer needs and is trimmed when the command ends.
        final MutableDirectBuffer payload = context.payloadScratch(0);
        int sent = 0;
        for (int i = firstKey, end = firstKey + keyCount; i < end; i++)
        {
            final int payloadLength = DumpCommands.dumpKey(
                context, argBuffer, args.offset(i), args.length(i), payload, 0);
            if (payloadLength == DumpCommands.NO_KEY)
            {
                continue;
            }
            final long expireAtMs = context.entry().expireAtMs();
            // RESTORE's ttl 0 means "no expiry", so a key about to expire travels with 1 ms left, as in Redis.
            final long ttlMs = expireAtMs == Keyspace.NO_EXPIRY ? 0 : Math.max(1, expireAtMs - nowMs);
            arrayHeader(replace ? 5 : 4);
            bulk(RESTORE);
            bulk(argBuffer, args.offset(i), args.length(i));
            bulkLong(ttlMs);
            bulk(payload, 0, payloadLength);
            if (replace)
            {
                bulk(REPLACE);
            }
            if (sent == sentKeys.length)
            {
                sentKeys = Arrays.copyOf(sentKeys, sent * 2);
            }
            sentKeys[sent++] = i;
        }
        return sent;
    }

    private void arrayHeader(final int count)
    {
        final MutableDirectBuffer out = request;
        out.putByte(requestLength++, (byte)'*');
        requestLength += out.putLongAscii(requestLength, count);
        crlf();
    }

    private void bulk(final byte[] ascii)
    {
        final MutableDirectBuffer out = request;
        out.putByte(requestLength++, (byte)'$');
        requestLength += out.putLongAscii(requestLength, ascii.length);
        crlf();
        out.putBytes(requestLength, ascii);
        requestLength += ascii.length;
        crlf();
    }

    private void bulk(final DirectBuffer source, final int offset, final int length)
    {
        final MutableDirectBuffer out = request;
        out.putByte(requestLength++, (byte)'$');
        requestLength += out.putLongAscii(requestLength, length);
        crlf();
        out.putBytes(requestLength, source, offset, length);
        requestLength += length;
        crlf();
    }

    private void bulkLong(final long value)
    {
        final MutableDirectBuffer out = request;
        final int digits = AsciiNumbers.decimalLength(value);
        out.putByte(requestLength++, (byte)'$');
        requestLength += out.putLongAscii(requestLength, digits);
        crlf();
        requestLength += out.putLongAscii(requestLength, value);
        crlf();
    }

    private void crlf()
    {
        request.putByte(requestLength++, (byte)'\r');
        request.putByte(requestLength++, (byte)'\n');
    }

    /**
     * Write the request through a small direct buffer, a chunk at a time: channels need a ByteBuffer, and one the
     * size of a large request could only be grown by leaving the old ones to the collector.
     */
    private boolean send(final MigrateTargetLink link, final long timeoutMs)
    {
        if (null == chunk)
        {
            chunk = ByteBuffer.allocateDirect(SEND_CHUNK_LENGTH);
            chunkView = new UnsafeBuffer(chunk);
        }
        for (int position = 0; position < requestLength; )
        {
            final int length = Math.min(SEND_CHUNK_LENGTH, requestLength - position);
            chunkView.putBytes(0, request, position, length);
            chunk.clear().limit(length);
            if (!link.write(chunk, timeoutMs))
            {
                return false;
            }
            position += length;
        }
        return true;
    }

    private void releaseIfLarge()
    {
        if (request.capacity() > RETAINED_BUFFER_CAPACITY)
        {
            request.shrink(4096);
        }
    }

    private static boolean isError(final String line)
    {
        return !line.isEmpty() && line.charAt(0) == '-';
    }

    private static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
