package io.ringkv.loadgen.run;

import io.ringkv.loadgen.protocol.RequestEncoder;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.RequestArguments;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * Encodes a batch of requests into a reusable direct buffer and writes it with as few writes as fit, flushing
 * early only when the next request might not fit. Notes when the batch's first byte was written. Not
 * threadsafe: the connection's sending thread only.
 */
public final class RequestWriter
{
    private final WritableByteChannel channel;
    private final RequestEncoder encoder;
    private final RequestArguments arguments;
    private final int maxRequestLength;
    private final ByteBuffer byteBuffer;
    private int writeIndex;
    private long firstWriteNs;

    /**
     * @param channel          blocking channel to write.
     * @param encoder          the protocol's encoder.
     * @param arguments        where placeholders are filled from.
     * @param maxRequestLength upper bound of one encoded request.
     * @param batchCapacity    bytes buffered before a write.
     */
    public RequestWriter(
        final WritableByteChannel channel,
        final RequestEncoder encoder,
        final RequestArguments arguments,
        final int maxRequestLength,
        final int batchCapacity)
    {
        this.channel = channel;
        this.encoder = encoder;
        this.arguments = arguments;
        this.maxRequestLength = maxRequestLength;
        this.byteBuffer = ByteBuffer.allocateDirect(Math.max(batchCapacity, maxRequestLength));
    }

    /**
     * @return where the writer fills placeholders from (cache-aside reads and repeats the GET's key).
     */
    public RequestArguments arguments()
    {
        return arguments;
    }

    /**
     * Starts a batch.
     */
    public void begin()
    {
        writeIndex = 0;
        firstWriteNs = 0;
    }

    /**
     * Adds a request to the batch, writing what is buffered first if it might not fit.
     *
     * @param command the command.
     * @throws IOException if a write fails.
     */
    public void add(final CommandTemplate command) throws IOException
    {
        if (byteBuffer.capacity() - writeIndex < maxRequestLength)
        {
            flush();
        }
        writeIndex = encoder.encode(byteBuffer, writeIndex, command, arguments);
    }

    /**
     * Adds a request of literal words (preload and handshakes, not the measured hot path).
     *
     * @param words command and arguments.
     * @throws IOException if a write fails.
     */
    public void addWords(final String... words) throws IOException
    {
        flush();
        writeIndex = encoder.encodeWords(byteBuffer, writeIndex, words);
    }

    /**
     * Writes everything buffered.
     *
     * @throws IOException if a write fails.
     */
    public void flush() throws IOException
    {
        if (writeIndex == 0)
        {
            return;
        }
        if (firstWriteNs == 0)
        {
            firstWriteNs = System.nanoTime();
        }
        final ByteBuffer bytes = byteBuffer;
        bytes.limit(writeIndex).position(0);
        while (bytes.hasRemaining())
        {
            channel.write(bytes);
        }
        // Absolute puts check against the limit, so encoding needs the whole capacity again.
        bytes.clear();
        writeIndex = 0;
    }

    /**
     * @return {@link System#nanoTime()} just before the batch's first write.
     */
    public long firstWriteNs()
    {
        return firstWriteNs;
    }
}
