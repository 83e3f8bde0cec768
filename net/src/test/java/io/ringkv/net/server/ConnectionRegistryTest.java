package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectionRegistryTest
{
    /**
     * One acceptor per listen address admits concurrently: maxclients must hold across them.
     */
    @Test
    void concurrentAdmissionsNeverPassMaxclients() throws Exception
    {
        final int threads = 4;
        final int perThread = 64;
        final int maxClients = 32;
        final List<SocketChannel> channels = new ArrayList<>();
        try
        {
            for (int round = 0; round < 20; round++)
            {
                final ConnectionRegistry registry = new ConnectionRegistry();
                final List<List<ClientConnection>> batches = new ArrayList<>();
                for (int t = 0; t < threads; t++)
                {
                    final List<ClientConnection> batch = new ArrayList<>();
                    for (int i = 0; i < perThread; i++)
                    {
                        final SocketChannel channel = SocketChannel.open();
                        channels.add(channel);
                        batch.add(new ClientConnection(registry.nextId(), channel, null, registry, true, 1024 * 1024, 1024 * 1024,
                            1024 * 1024));
                    }
                    batches.add(batch);
                }
                final AtomicInteger admitted = new AtomicInteger();
                final CyclicBarrier start = new CyclicBarrier(threads);
                final List<Thread> acceptors = new ArrayList<>();
                for (final List<ClientConnection> batch : batches)
                {
                    acceptors.add(Thread.ofPlatform().start(() ->
                    {
                        try
                        {
                            start.await();
                        }
                        catch (final Exception ex)
                        {
                            throw new IllegalStateException(ex);
                        }
                        for (final ClientConnection connection : batch)
                        {
                            if (registry.add(connection, maxClients))
                            {
                                admitted.incrementAndGet();
                            }
                        }
                    }));
                }
                for (final Thread acceptor : acceptors)
                {
                    acceptor.join();
                }
                assertEquals(maxClients, admitted.get(), "round " + round);
                assertEquals(maxClients, registry.size(), "round " + round);
                for (final SocketChannel channel : channels)
                {
                    channel.close();
                }
                channels.clear();
            }
        }
        finally
        {
            for (final SocketChannel channel : channels)
            {
                channel.close();
            }
        }
    }
}
