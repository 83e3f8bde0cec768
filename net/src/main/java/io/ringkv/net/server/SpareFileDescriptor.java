package io.ringkv.net.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file descriptor held in reserve by an accept loop (the classic EMFILE remedy): when the process is out of
 * descriptors, a waiting client can be neither served nor refused, and stays in the backlog while its accept fails
 * again and again. Giving the spare up lets the loop accept that client, tell it why and close it, then take the
 * spare back.
 * <p>
 * Used by one accept thread only.
 */
final class SpareFileDescriptor implements AutoCloseable
{
    private static final Path DEV_NULL = Path.of("/dev/null");

    private FileChannel spare;

    SpareFileDescriptor()
    {
        spare = open();
    }

    /**
     * Accept one waiting client with the spare descriptor, write {@code reply} and close it. The listener must be
     * in blocking mode and a client must be waiting (its accept just failed with EMFILE).
     *
     * @return true when a client was answered; false when there was no spare to give up or accepting failed anyway.
     */
    boolean refuseOne(final ServerSocketChannel listener, final byte[] reply)
    {
        if (null == spare)
        {
            spare = open();
            return false;
        }
        close();
        boolean answered = false;
        try (SocketChannel client = listener.accept())
        {
            client.write(ByteBuffer.wrap(reply));
            answered = true;
        }
        catch (final IOException ex)
        {
            // Still out of descriptors, or the client left: nothing more to do for it.
        }
        spare = open();
        return answered;
    }

    @Override
    public void close()
    {
        if (null != spare)
        {
            try
            {
                spare.close();
            }
            catch (final IOException ignore)
            {
                // A read-only /dev/null closes without error.
            }
            spare = null;
        }
    }

    private static FileChannel open()
    {
        try
        {
            return FileChannel.open(DEV_NULL, StandardOpenOption.READ);
        }
        catch (final IOException ex)
        {
            return null; // no spare (e.g. already out of descriptors, or no /dev/null): accept failures then just back off
        }
    }
}
