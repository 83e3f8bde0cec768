package io.ringkv.net.server;

import java.io.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * A write to a socket that never blocks, from any thread, while the socket's own virtual thread blocks in
 * {@code read} on it: the mechanism by which the engine thread sends replies (and, later, pushed messages) straight
 * to a client's socket.
 * <p>
 * {@link SocketChannel} cannot do it: the channel stays in blocking mode for its reader, and
 * {@code configureBlocking(false)} needs the read lock that reader holds. But a virtual thread's first read has
 * already put the descriptor into {@code O_NONBLOCK} for good (the JDK parks virtual threads on its poller instead of
 * in the kernel; {@code SocketChannelImpl.configureSocketNonBlockingIfVirtualThread}), so the JDK's own
 * {@code IOUtil.write(fd, buffer, -1, nd)} on the channel's descriptor and socket dispatcher returns at once: the
 * bytes the socket took, or nothing when its send buffer is full ({@code EAGAIN}). This class looks both up once
 * (they need {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, which {@code bin/ringkv} and the tests pass);
 * each write is then one direct call, no reflection and no allocation.
 * <p>
 * The caller must make sure the channel is open and stays open during the write (a closed descriptor's number may
 * already belong to another client) and that no other thread writes to it at the same time.
 */
final class NonBlockingSocketWrite
{
    /** The JVM option without which the server cannot write replies from the engine thread. */
    static final String REQUIRED_OPTION = "--add-opens java.base/sun.nio.ch=ALL-UNNAMED";

    /** {@code sun.nio.ch.IOStatus.UNAVAILABLE}: the call would have blocked. */
    private static final int UNAVAILABLE = -2;
    /** {@code sun.nio.ch.IOStatus.INTERRUPTED}: a signal interrupted the call; try again. */
    private static final int INTERRUPTED = -3;

    private static final MethodHandle WRITE;
    private static final MethodHandle CHANNEL_FD;
    private static final Object DISPATCHER;
    private static final Class<?> CHANNEL_CLASS;
    private static final String UNAVAILABLE_REASON;

    static
    {
        MethodHandle write = null;
        MethodHandle channelFd = null;
        Object dispatcher = null;
        Class<?> channelClass = null;
        String reason = null;
        try
        {
            final Class<?> ioUtil = Class.forName("sun.nio.ch.IOUtil");
            final Class<?> nativeDispatcher = Class.forName("sun.nio.ch.NativeDispatcher");
            channelClass = Class.forName("sun.nio.ch.SocketChannelImpl");
            final MethodHandles.Lookup nio = MethodHandles.privateLookupIn(channelClass, MethodHandles.lookup());
            write = nio.findStatic(ioUtil, "write", MethodType.methodType(
                int.class, FileDescriptor.class, ByteBuffer.class, long.class, nativeDispatcher))
                .asType(MethodType.methodType(int.class, FileDescriptor.class, ByteBuffer.class, long.class,
                    Object.class));
            channelFd = nio.findGetter(channelClass, "fd", FileDescriptor.class)
                .asType(MethodType.methodType(FileDescriptor.class, SocketChannel.class));
            dispatcher = nio.findStaticGetter(channelClass, "nd", nativeDispatcher).invoke();
        }
        catch (final Throwable ex)
        {
            reason = ex.toString();
        }
        WRITE = write;
        CHANNEL_FD = channelFd;
        DISPATCHER = dispatcher;
        CHANNEL_CLASS = channelClass;
        UNAVAILABLE_REASON = reason;
    }

    private NonBlockingSocketWrite()
    {
    }

    /**
     * Fail at start rather than at the first reply when the JVM was started without {@link #REQUIRED_OPTION}.
     *
     * @throws IllegalStateException naming the missing option.
     */
    static void ensureAvailable()
    {
        if (null != UNAVAILABLE_REASON)
        {
            throw new IllegalStateException("ringkv needs the JVM option " + REQUIRED_OPTION +
                " (bin/ringkv passes it) to write replies from the engine thread: " + UNAVAILABLE_REASON);
        }
    }

    /**
     * @param channel an accepted socket channel of the JDK's default provider.
     * @return its file descriptor, for {@link #write(FileDescriptor, ByteBuffer)}.
     */
    static FileDescriptor descriptor(final SocketChannel channel)
    {
        ensureAvailable();
        if (!CHANNEL_CLASS.isInstance(channel))
        {
            throw new IllegalArgumentException("not a JDK socket channel: " + channel.getClass().getName());
        }
        try
        {
            return (FileDescriptor)CHANNEL_FD.invokeExact(channel);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Write what the socket takes now from {@code source}'s position to its limit, advancing its position.
     *
     * @param fd     the socket's descriptor, in {@code O_NONBLOCK} mode (a virtual thread has read from it).
     * @param source a direct buffer.
     * @return true when every byte was written; false when the socket's send buffer is full.
     * @throws IOException when the socket failed (e.g. the peer reset it, or its output was shut down).
     */
    static boolean write(final FileDescriptor fd, final ByteBuffer source) throws IOException
    {
        while (source.hasRemaining())
        {
            final int written;
            try
            {
                written = (int)WRITE.invokeExact(fd, source, -1L, DISPATCHER);
            }
            catch (final IOException | RuntimeException | Error ex)
            {
                throw ex;
            }
            catch (final Throwable ex)
            {
                throw new IllegalStateException(ex);
            }
            if (written == UNAVAILABLE)
            {
                return false;
            }
            if (written < 0 && written != INTERRUPTED)
            {
                throw new IOException("socket write failed with status " + written);
            }
        }
        return true;
    }
}
