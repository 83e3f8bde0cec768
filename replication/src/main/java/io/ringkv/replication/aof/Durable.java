package io.ringkv.replication.aof;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Small file helpers that make what they write survive a crash: the data fsynced before a rename, the directory
 * fsynced after it (as Redis's fsyncFileDir).
 */
final class Durable
{
    private Durable()
    {
    }

    static void write(final Path path, final byte[] bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING))
        {
            final ByteBuffer view = ByteBuffer.wrap(bytes);
            while (view.hasRemaining())
            {
                channel.write(view);
            }
            channel.force(true);
        }
    }

    static void fsyncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }
}
