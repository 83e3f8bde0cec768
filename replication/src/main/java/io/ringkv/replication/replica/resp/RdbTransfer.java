package io.ringkv.replication.replica.resp;

import io.ringkv.core.rdb.RdbFileReader;
import io.ringkv.core.rdb.RdbFormatException;
import io.ringkv.replication.replica.RespCommandReader;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Receives the RDB of a Redis master's full sync into a file, in either of Redis's two forms: disk-based
 * ({@code $<length>\r\n} and that many bytes, after any {@code \n} keep-alives) or diskless ({@code $EOF:<40-byte
 * mark>\r\n}, the bytes, then the mark: the master sends nothing more before the replica's first ACK, so the mark
 * ends what has been read). Then {@link #verify} reads the whole file as an RDB (every record and the CRC-64)
 * without loading anything, so a transfer cut short, a wrong mark or a bad checksum is refused before the old
 * data set is touched. One thread (the link's).
 */
final class RdbTransfer
{
    static final int EOF_MARK_LENGTH = 40;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final int MAX_HEADER_BYTES = 128;

    private final RespCommandReader reader;
    private final Consumer<String> log;
    private long received;

    RdbTransfer(final RespCommandReader reader, final Consumer<String> log)
    {
        this.reader = reader;
        this.log = log;
    }

    /**
     * @return RDB bytes received (without the EOF mark).
     */
    long received()
    {
        return received;
    }

    /**
     * Read the payload's header and the payload into {@code file} (created; it must not exist).
     */
    void receive(final Path file) throws IOException
    {
        int first;
        do
        {
            first = reader.readByte(); // '\n': the master is still preparing the RDB (keep-alive)
        }
        while (first == '\n');
        if (first < 0)
        {
            throw new IOException("the master closed the connection before sending the RDB");
        }
        final String header = (char)first + reader.readLine(MAX_HEADER_BYTES);
        if (header.startsWith("-"))
        {
            throw new IOException("MASTER aborted replication with an error: " + header.substring(1));
        }
        if (!header.startsWith("$"))
        {
            throw new IOException("Bad protocol from MASTER, the first byte is not '$' (we received '" +
                printable(header) + "'), are you sure the host and port are right?");
        }
        byte[] mark = null;
        long length = -1;
        if (header.startsWith("$EOF:"))
        {
            mark = header.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            if (mark.length != EOF_MARK_LENGTH)
            {
                throw new IOException("Bad EOF mark from MASTER: '" + printable(header) + "'");
            }
            log.accept("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        }
        else
        {
            try
            {
                length = Long.parseLong(header.substring(1));
            }
            catch (final NumberFormatException ex)
            {
                length = -1;
            }
            if (length < 0)
            {
                throw new IOException("Bad RDB length from MASTER: '" + printable(header) + "'");
            }
            log.accept("MASTER <-> REPLICA sync: receiving " + length + " bytes from master to disk");
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            copy(out, length, mark);
        }
    }

    private void copy(final FileChannel out, final long length, final byte[] mark) throws IOException
    {
        final byte[] chunk = new byte[CHUNK_BYTES];
        final ByteBuffer chunkBuffer = ByteBuffer.wrap(chunk);
        final byte[] tail = new byte[EOF_MARK_LENGTH];
        long total = 0;
        while (mark != null || total < length)
        {
            final int max = mark != null ? CHUNK_BYTES : (int)Math.min(CHUNK_BYTES, length - total);
            final int n = reader.readSome(chunk, 0, max);
            if (n < 0)
            {
                throw new IOException("the master closed the connection during the full sync after " + total +
                    " bytes of " + (mark != null ? "a diskless RDB without its EOF mark" : length));
            }
            chunkBuffer.clear().limit(n);
            while (chunkBuffer.hasRemaining())
            {
                out.write(chunkBuffer);
            }
            total += n;
            if (mark != null)
            {
                if (n >= EOF_MARK_LENGTH)
                {
                    System.arraycopy(chunk, n - EOF_MARK_LENGTH, tail, 0, EOF_MARK_LENGTH);
                }
                else
                {
                    System.arraycopy(tail, n, tail, 0, EOF_MARK_LENGTH - n);
                    System.arraycopy(chunk, 0, tail, EOF_MARK_LENGTH - n, n);
                }
                if (total >= EOF_MARK_LENGTH && Arrays.equals(tail, mark))
                {
                    total -= EOF_MARK_LENGTH;
                    out.truncate(total);
                    break;
                }
            }
        }
        received = total;
    }

    /**
     * Read {@code file} as an RDB to its end and checksum, loading nothing.
     *
     * @throws IOException naming the offset when it is not a whole, valid RDB.
     */
    void verify(final Path file) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            new RdbFileReader().read(channel, channel.size(), CHECK_ONLY);
        }
        catch (final RdbFormatException ex)
        {
            throw new IOException("the RDB from the master is refused (" + received + " bytes received): " +
                ex.getMessage(), ex);
        }
    }

    /** Delete a received file, saying so when it cannot be. */
    static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            System.getLogger(RdbTransfer.class.getName()).log(System.Logger.Level.WARNING,
                "cannot delete " + file + ": " + ex.getMessage());
        }
    }

    /**
     * @return the start of a master's answer with anything not printable ASCII shown as '?', for an error message.
     */
    static String printable(final String text)
    {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < 64; i++)
        {
            final char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return out.toString();
    }

    private static final RdbFileReader.Handler CHECK_ONLY = new RdbFileReader.Handler()
    {
        @Override
        public void selectDb(final long db, final long offset)
        {
        }

        @Override
        public void function(final DirectBuffer code, final int index, final int length, final long offset)
        {
        }

        @Override
        public void entry(final long expireAtMs, final long idleSeconds, final int frequency, final DirectBuffer key,
            final int keyIndex, final int keyLength, final DirectBuffer payload, final int payloadIndex,
            final int payloadLength, final long offset)
        {
        }
    };
}
