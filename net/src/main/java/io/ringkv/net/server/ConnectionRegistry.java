package io.ringkv.net.server;

import io.ringkv.net.server.command.ConnectedClients;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connected clients by id: what CLIENT LIST and CLIENT KILL see, and what {@code maxclients} counts.
 * <p>
 * Threadsafe: the acceptor adds, connection threads remove themselves, the engine thread and the idle reaper read.
 * Nothing here is on a per-request path.
 */
public final class ConnectionRegistry implements ConnectedClients
{
    private final ConcurrentHashMap<Long, ClientConnection> connections = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final AtomicLong nextId = new AtomicLong(1);
    private final AtomicLong totalConnections = new AtomicLong();
    private final AtomicLong rejectedConnections = new AtomicLong();

    /**
     * @return a new client id, unique for the life of the server, as CLIENT ID reports it.
     */
    public long nextId()
    {
        return nextId.getAndIncrement();
    }

    /**
     * Admit a connection unless the server is full.
     *
     * @param connection to admit.
     * @param maxClients most connections allowed at once.
     * @return true when admitted; false when {@code maxclients} connections are already open.
     */
    public boolean add(final ClientConnection connection, final long maxClients)
    {
        // Reserve a place first: acceptors of different listen addresses admit concurrently, and checking the
        // map's size before putting would let each of them take the last place.
        int count;
        do
        {
            count = admitted.get();
            if (count >= maxClients)
            {
                rejectedConnections.incrementAndGet();
                return false;
            }
        }
        while (!admitted.compareAndSet(count, count + 1));
        connections.put(connection.id(), connection);
        totalConnections.incrementAndGet();
        return true;
    }

    /**
     * Count a connection refused before admission (protected mode), as Redis counts it in rejected_connections.
     */
    public void rejected()
    {
        rejectedConnections.incrementAndGet();
    }

    public void remove(final ClientConnection connection)
    {
        if (connections.remove(connection.id(), connection))
        {
            admitted.decrementAndGet();
        }
    }

    /**
     * @param id client id.
     * @return the connection, or null when no client has that id.
     */
    public ClientConnection get(final long id)
    {
        return connections.get(id);
    }

    /**
     * @return a snapshot of the connected clients, in id order.
     */
    public List<ClientConnection> snapshot()
    {
        final List<ClientConnection> list = new ArrayList<>(connections.values());
        list.sort((a, b) -> Long.compare(a.id(), b.id()));
        return list;
    }

    public int size()
    {
        return connections.size();
    }

    /**
     * @return connections accepted since start (INFO stats total_connections_received).
     */
    public long totalConnections()
    {
        return totalConnections.get();
    }

    /**
     * @return connections refused because of maxclients or protected mode (INFO stats rejected_connections).
     */
    public long rejectedConnections()
    {
        return rejectedConnections.get();
    }
}
