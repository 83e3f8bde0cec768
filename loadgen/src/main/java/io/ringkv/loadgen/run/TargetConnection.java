package io.ringkv.loadgen.run;

import io.ringkv.loadgen.cli.TargetAddress;
import io.ringkv.loadgen.protocol.ReplyParser;
import io.ringkv.loadgen.protocol.RequestEncoder;
import io.ringkv.loadgen.workload.RequestArguments;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking connection to a target with its reply reader and request writer, after AUTH and SELECT.
 * Not threadsafe: used by the connection's thread(s) only (in open loop one thread writes, one reads).
 */
public final class TargetConnection implements AutoCloseable
{
    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int BATCH_BUFFER_BYTES = 64 * 1024;

    final SocketChannel channel;
    final ReplyReader reader;
    final RequestWriter writer;

    private TargetConnection(final SocketChannel channel, final ReplyReader reader, final RequestWriter writer)
    {
        this.channel = channel;
        this.reader = reader;
        this.writer = writer;
    }

    /**
     * Connects, authenticates and selects the database.
     *
     * @param target           where to connect.
     * @param connectTimeoutMs connect timeout.
     * @param replyTimeoutNs   how long AUTH and SELECT may wait for their replies.
     * @param encoder          protocol encoder.
     * @param parser           protocol reply parser (owned by the connection from now on).
     * @param arguments        where the writer fills placeholders from.
     * @param maxRequestLength upper bound of one request.
     * @param user             ACL user or null.
     * @param password         password or null for no AUTH.
     * @param db               database, 0 for no SELECT.
     * @return the connection.
     * @throws LoadFailedException naming the target if connecting, AUTH or SELECT fails.
     */
    public static TargetConnection open(
        final TargetAddress target,
        final int connectTimeoutMs,
        final long replyTimeoutNs,
        final RequestEncoder encoder,
        final ReplyParser parser,
        final RequestArguments arguments,
        final int maxRequestLength,
        final String user,
        final String password,
        final int db)
    {
        SocketChannel channel = null;
        try
        {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.socket().connect(new InetSocketAddress(target.host(), target.port()), connectTimeoutMs);
            final TargetConnection connection = new TargetConnection(
                channel,
                new ReplyReader(channel, parser, READ_BUFFER_BYTES),
                new RequestWriter(channel, encoder, arguments, maxRequestLength, BATCH_BUFFER_BYTES));
            if (password == null && db == 0)
            {
                return connection;
            }
            // A blocking channel read has no timeout: a guard closes the channel if the set-up gets no reply.
            final SocketChannel guarded = channel;
            final Thread guard = Thread.ofVirtual().start(() ->
            {
                try
                {
                    Thread.sleep(Duration.ofNanos(replyTimeoutNs));
                    closeQuietly(guarded);
                }
                catch (final InterruptedException done)
                {
                    // The set-up finished in time.
                }
            });
            try
            {
                if (password != null)
                {
                    if (user != null)
                    {
                        connection.call(target, "AUTH", user, password);
                    }
                    else
                    {
                        connection.call(target, "AUTH", password);
                    }
                }
                if (db != 0)
                {
                    connection.call(target, "SELECT", Integer.toString(db));
                }
            }
            catch (final ClosedChannelException ex)
            {
                throw new LoadFailedException("no reply to AUTH or SELECT from " + target + " within "
                    + replyTimeoutNs / 1_000_000 + " ms (is it a RESP server?)");
            }
            finally
            {
                guard.interrupt();
            }
            return connection;
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new LoadFailedException("cannot connect to " + target + ": " + describe(ex));
        }
        catch (final RuntimeException ex)
        {
            closeQuietly(channel);
            throw ex;
        }
    }

    /**
     * Sends one command and checks its reply is not an error (set-up only, not measured).
     *
     * @param target named in errors.
     * @param words  command and arguments.
     * @throws IOException if the connection fails.
     */
    void call(final TargetAddress target, final String... words) throws IOException
    {
        writer.begin();
        writer.addWords(words);
        writer.flush();
        final int result = reader.next();
        if (result == ReplyReader.END_OF_STREAM)
        {
            throw new LoadFailedException(words[0] + " on " + target + ": the server closed the connection");
        }
        if (result == ReplyReader.MALFORMED)
        {
            throw new LoadFailedException(words[0] + " on " + target + ": the reply is not valid in this protocol"
                + " (is the server speaking another protocol?)");
        }
        final ReplyParser parser = reader.parser();
        if (parser.isError())
        {
            final byte[] text = new byte[parser.errorLength()];
            reader.buffer().get(parser.errorIndex(), text);
            throw new LoadFailedException(
                words[0] + " failed on " + target + ": " + new String(text, StandardCharsets.UTF_8));
        }
    }

    /**
     * @param ex an I/O failure.
     * @return a one-line description without a stack trace.
     */
    static String describe(final Throwable ex)
    {
        final String message = ex.getMessage();
        final String name = ex.getClass().getSimpleName();
        return message == null || message.isBlank() ? name : name + ": " + message;
    }

    static void closeQuietly(final SocketChannel channel)
    {
        if (channel != null)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Closing a broken connection cannot fail in a way worth reporting.
            }
        }
    }

    @Override
    public void close()
    {
        closeQuietly(channel);
    }
}
