package io.ringkv.core.command;

/**
 * Per-connection state that commands read and change: the selected logical database, the reply protocol,
 * authentication, and the client's name.
 * <p>
 * Owned by one connection. The engine thread reads and writes it only while that connection is waiting for
 * its batch (the ring's publish and the batch's completion give the happens-before edges), so plain fields suffice.
 */
public final class ClientSession
{
    /** Protocol version for RESP2 replies (the default). */
    public static final int PROTOCOL_RESP2 = 2;
    /** Protocol version for RESP3 replies, chosen with {@code HELLO 3}. */
    public static final int PROTOCOL_RESP3 = 3;

    private final long id;
    private int db;
    private int protocolVersion = PROTOCOL_RESP2;
    private boolean authenticated;
    private String name = "";
    private boolean masterLink;
    private boolean loader;
    private boolean protectedCommandsAllowed;
    private ConnectionHandover handover;
    private Command lastCommand;
    private String libraryName = "";
    private String libraryVersion = "";
    private String peerAddress = "";
    private PushChannel pushChannel;
    private boolean monitor;
    private int subscriptions;
    private boolean inTransaction;
    private boolean closeAfterReply;
    private Transaction transaction;
    private Tracker tracker;

    /**
     * @param id            unique client id, as CLIENT ID reports it.
     * @param authenticated true when the server needs no password.
     */
    public ClientSession(final long id, final boolean authenticated)
    {
        this.id = id;
        this.authenticated = authenticated;
    }

    public long id()
    {
        return id;
    }

    public int db()
    {
        return db;
    }

    public void db(final int db)
    {
        this.db = db;
    }

    public int protocolVersion()
    {
        return protocolVersion;
    }

    public void protocolVersion(final int protocolVersion)
    {
        this.protocolVersion = protocolVersion;
    }

    public boolean authenticated()
    {
        return authenticated;
    }

    public void authenticated(final boolean authenticated)
    {
        this.authenticated = authenticated;
    }

    /**
     * @return true when this client may run {@link Command#PROTECTED} commands (DEBUG); false by default.
     */
    public boolean protectedCommandsAllowed()
    {
        return protectedCommandsAllowed;
    }

    /**
     * @param allowed decided by the server when the client connects (enable-debug-command and the peer's address).
     */
    public void protectedCommandsAllowed(final boolean allowed)
    {
        this.protectedCommandsAllowed = allowed;
    }

    /**
     * @return true for a replica's internal client that applies its master's stream: exempt from READONLY.
     */
    public boolean masterLink()
    {
        return masterLink;
    }

    /**
     * @return true for the internal client that loads a file before any client is served (an RDB file or the AOF
     * at start): what its requests change is not logged ({@link io.ringkv.core.changelog.ChangeLog#discard}), since
     * no replica, AOF or WATCH can have seen the data before, and the replication offset stays that of the file.
     */
    public boolean loader()
    {
        return loader;
    }

    /**
     * @param loader true for a loader at start (see {@link #loader()}); only while no client is served.
     */
    public void loader(final boolean loader)
    {
        this.loader = loader;
    }

    /**
     * @param masterLink true for the replication link's internal client.
     */
    public void masterLink(final boolean masterLink)
    {
        this.masterLink = masterLink;
    }

    /**
     * @return what takes the connection over after the current batch, or null.
     */
    public ConnectionHandover handover()
    {
        return handover;
    }

    /**
     * Engine thread: hand the connection to {@code handover} once the current batch has been answered.
     *
     * @param handover takes the connection over.
     */
    public void handover(final ConnectionHandover handover)
    {
        this.handover = handover;
    }

    public String name()
    {
        return name;
    }

    public void name(final String name)
    {
        this.name = name;
    }

    /**
     * @return the client library's name from CLIENT SETINFO LIB-NAME, "" when not given.
     */
    public String libraryName()
    {
        return libraryName;
    }

    public void libraryName(final String libraryName)
    {
        this.libraryName = libraryName;
    }

    /**
     * @return the client library's version from CLIENT SETINFO LIB-VER, "" when not given.
     */
    public String libraryVersion()
    {
        return libraryVersion;
    }

    public void libraryVersion(final String libraryVersion)
    {
        this.libraryVersion = libraryVersion;
    }

    /**
     * @return the client's "ip:port" (SLOWLOG's client address), "" for internal clients.
     */
    public String peerAddress()
    {
        return peerAddress;
    }

    /**
     * @param peerAddress the client's "ip:port", set once by its connection.
     */
    public void peerAddress(final String peerAddress)
    {
        this.peerAddress = peerAddress;
    }

    /**
     * @return the last command the engine dispatched for this connection (CLIENT LIST "cmd="), or null before the
     * first. Written by the engine thread; other threads may see a stale value, which is all CLIENT LIST needs.
     */
    public Command lastCommand()
    {
        return lastCommand;
    }

    /**
     * Engine thread: remember the command being dispatched (a field store; nothing allocated).
     *
     * @param command the command.
     */
    public void lastCommand(final Command command)
    {
        this.lastCommand = command;
    }

    /**
     * @return how the engine sends this connection bytes it did not ask for, or null when it cannot (a connection
     * not served by a network connection, e.g. the replication applier or a JSON-lines connection).
     */
    public PushChannel pushChannel()
    {
        return pushChannel;
    }

    /**
     * @param pushChannel set by the network layer once the connection's protocol can carry pushed bytes.
     */
    public void pushChannel(final PushChannel pushChannel)
    {
        this.pushChannel = pushChannel;
    }

    /**
     * @return true while the connection is a MONITOR (Redis's CLIENT_MONITOR): it receives every command's line.
     */
    public boolean monitor()
    {
        return monitor;
    }

    /**
     * @param monitor set by {@link MonitorFeed} only.
     */
    void monitor(final boolean monitor)
    {
        this.monitor = monitor;
    }

    /**
     * @return channels, patterns and shard channels this connection is subscribed to (Redis's CLIENT_PUBSUB is
     * {@code > 0}): RESP2's subscribed mode, and the RESP2 tracking redirect's condition.
     */
    public int subscriptions()
    {
        return subscriptions;
    }

    /**
     * @param subscriptions set by Pub/Sub as the connection subscribes and unsubscribes.
     */
    public void subscriptions(final int subscriptions)
    {
        this.subscriptions = subscriptions;
    }

    /**
     * @return true between MULTI and EXEC/DISCARD (Redis's CLIENT_MULTI): commands are queued, not run.
     */
    public boolean inTransaction()
    {
        return inTransaction;
    }

    /**
     * @param inTransaction set by MULTI, cleared by EXEC and DISCARD.
     */
    public void inTransaction(final boolean inTransaction)
    {
        this.inTransaction = inTransaction;
    }

    /**
     * @return true when the engine asked for the connection to close once its current batch is answered (a blocked
     * client released by a change of role, as Redis's CLIENT_CLOSE_AFTER_REPLY); read by the connection after the
     * batch completes.
     */
    public boolean closeAfterReply()
    {
        return closeAfterReply;
    }

    /**
     * @param closeAfterReply set on the engine thread.
     */
    public void closeAfterReply(final boolean closeAfterReply)
    {
        this.closeAfterReply = closeAfterReply;
    }

    /**
     * @return the connection's MULTI/WATCH state, or null before its first MULTI or WATCH.
     */
    public Transaction transaction()
    {
        return transaction;
    }

    /**
     * @return the connection's MULTI/WATCH state, made on first use. Engine thread.
     */
    Transaction transactionState()
    {
        Transaction transaction = this.transaction;
        if (null == transaction)
        {
            transaction = new Transaction();
            this.transaction = transaction;
        }
        return transaction;
    }

    /**
     * @return the client's CLIENT TRACKING state, null while tracking is off.
     */
    Tracker tracker()
    {
        return tracker;
    }

    /**
     * @param tracker set and cleared by {@link ClientTracking} only.
     */
    void tracker(final Tracker tracker)
    {
        this.tracker = tracker;
    }
}
