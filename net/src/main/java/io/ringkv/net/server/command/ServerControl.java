package io.ringkv.net.server.command;

import io.ringkv.core.engine.Engine;
import io.ringkv.core.script.function.ScriptMemory;
import io.ringkv.net.server.config.ServerConfig;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.persistence.RdbPersistence;
import io.ringkv.replication.aof.AppendOnlyFile;

/**
 * What the server-level commands (CONFIG, INFO, CLIENT, SHUTDOWN...) may see and do of the server that runs them:
 * the narrow view the server hands to each family's {@code register}, so this package never depends on the server
 * package (which depends on this one to build its command table).
 * <p>
 * Handlers call it on the engine thread; the implementation says which of its methods other threads may call.
 */
public interface ServerControl
{
    /**
     * @return the server's configuration, changed by CONFIG SET.
     */
    ServerConfig config();

    /**
     * @return the engine, once started.
     */
    Engine engine();

    /**
     * @return INFO's sections; other modules add theirs here.
     */
    InfoSections infoSections();

    /**
     * @return the server's log.
     */
    CommandLog log();

    /**
     * @return the connected clients.
     */
    ConnectedClients registry();

    /**
     * @return the server's place in replication (INFO stats' sync counters).
     */
    ReplicationNode replication();

    /**
     * @return the server's RDB persistence (SAVE, SHUTDOWN's save, INFO persistence).
     */
    RdbPersistence persistence();

    /**
     * @return the append-only file (INFO persistence).
     */
    AppendOnlyFile aof();

    /**
     * @return the port the server listens on.
     */
    int port();

    /**
     * @return when the server started, in epoch milliseconds.
     */
    long startedMs();

    /**
     * Ask the server to shut down; returns at once.
     */
    void requestShutdown();

    /**
     * @return the Lua figures of INFO memory.
     */
    ScriptMemory scriptMemory();
}
