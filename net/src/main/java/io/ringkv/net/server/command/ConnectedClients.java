package io.ringkv.net.server.command;

import java.util.List;

/**
 * The connected clients as CLIENT and INFO see them. Threadsafe.
 */
public interface ConnectedClients
{
    /**
     * @param id client id.
     * @return the client, or null when it is not connected.
     */
    ConnectedClient get(long id);

    /**
     * @return the clients connected now, in no particular order (a copy).
     */
    List<? extends ConnectedClient> snapshot();

    /**
     * @return how many clients are connected.
     */
    int size();

    /**
     * @return clients accepted since start (INFO total_connections_received).
     */
    long totalConnections();

    /**
     * @return clients refused because of maxclients or protected mode (INFO rejected_connections).
     */
    long rejectedConnections();
}
