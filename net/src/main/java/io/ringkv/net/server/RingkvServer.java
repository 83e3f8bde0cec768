package io.ringkv.net.server;

import com.sun.management.UnixOperatingSystemMXBean;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.core.engine.Engine;
import io.ringkv.core.engine.EngineConfig;
import io.ringkv.core.script.ScriptCommands;
import io.ringkv.core.script.ScriptEngine;
import io.ringkv.core.script.ScriptRunState;
import io.ringkv.core.script.function.FunctionCommands;
import io.ringkv.core.script.function.FunctionRegistry;
import io.ringkv.core.script.function.LuaLibraryEngine;
import io.ringkv.core.script.function.ScriptMemory;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.net.server.command.ClientCommands;
import io.ringkv.net.server.command.CommandIntrospectionCommands;
import io.ringkv.net.server.command.ConfigCommands;
import io.ringkv.net.server.command.FunctionContainerCommands;
import io.ringkv.net.server.command.ObjectCommands;
import io.ringkv.net.server.command.PubSubCommands;
import io.ringkv.net.server.command.ConnectionStateCommands;
import io.ringkv.net.server.command.MigrateCommand;
import io.ringkv.net.server.command.DebugCommands;
import io.ringkv.net.server.command.InfoCommands;
import io.ringkv.net.server.command.InfoSections;
import io.ringkv.net.server.command.LatencyCommands;
import io.ringkv.net.server.command.MemoryCommands;
import io.ringkv.net.server.command.SlowlogCommands;
import io.ringkv.net.server.command.ServerCommands;
import io.ringkv.net.server.command.ServerControl;
import io.ringkv.net.server.config.ConfigOption;
import io.ringkv.net.server.config.OutputBufferLimits;
import io.ringkv.net.server.config.ServerConfig;
import io.ringkv.net.server.metrics.MetricsEndpoint;
import io.ringkv.replication.ReplicationCommands;
import io.ringkv.replication.aof.AofCommands;
import io.ringkv.replication.aof.AppendOnlyFile;
import io.ringkv.replication.aof.RespSlotEncoder;
import io.ringkv.replication.ReplicationConfig;
import io.ringkv.replication.ReplicationNode;
import io.ringkv.replication.persistence.PersistenceCommands;
import io.ringkv.replication.persistence.PersistenceConfig;
import io.ringkv.replication.persistence.RdbLoader;
import io.ringkv.replication.persistence.RdbPersistence;
import io.ringkv.replication.persistence.SavePoints;
import io.ringkv.replication.replica.ApplyReply;
import io.ringkv.replication.replica.CommandBatchBuilder;
import io.ringkv.core.command.ClientSession;
import java.nio.file.Files;
import java.nio.file.Path;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * The server: builds the keyspace, the command table and the engine from a {@link ServerConfig}, listens on the
 * configured addresses, and serves each accepted connection with its own virtual thread.
 * <pre>
 *   RingkvServer server = new RingkvServer(config, log);
 *   server.start();               // listening; server.port() is the bound port (useful with port 0)
 *   server.awaitShutdownRequest(); // until SHUTDOWN, or call server.close() from elsewhere
 *   server.close();               // stop accepting, finish in-flight batches, stop the engine
 * </pre>
 * {@link #start()} and {@link #close()} are called by the owning thread; {@link #requestShutdown()} by any thread.
 */
public final class RingkvServer implements AutoCloseable, ServerControl
{
    /** How long close() lets connections answer what their clients sent before it; then they are closed. */
    private static final long DRAIN_TIMEOUT_MS = 5_000;
    /**
     * A connection is drained once it has waited this long for its client's next bytes with none arriving (not
     * merely read nothing for this long: it may have been busy answering): what its client pipelined before the
     * shutdown has then been read and answered, and closing its input cannot cut a pipeline (or reset the connection
     * over unread requests, losing replies already sent).
     */
    private static final long DRAIN_QUIET_MS = 100;
    /** File descriptors kept free for the process beyond its clients (Redis's CONFIG_MIN_RESERVED_FDS). */
    private static final long RESERVED_FILE_DESCRIPTORS = 32;
    /** Pause after a failed accept (e.g. out of file descriptors) before trying again. */
    private static final long ACCEPT_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(10);

    private static final byte[] MAX_CLIENTS_REACHED =
        "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerConfig config;
    private final ServerLog log;
    private final Predicate<InetAddress> localPeer;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final CountDownLatch shutdownRequested = new CountDownLatch(1);
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final long startedMs = System.currentTimeMillis();
    private final InfoSections infoSections = new InfoSections();
    private Keyspace keyspace;
    private Engine engine;
    /** The running script as the connections see it (BUSY, SCRIPT KILL answered without the engine). */
    private final ScriptRunState scriptRunState = new ScriptRunState();
    private ScriptBusyGate scriptBusyGate;
    private ClientPauseGate pauseGate;
    private ScriptEngine scripts;
    private ScriptMemory scriptMemory;
    private MetricsEndpoint metrics;
    private ReplicationNode replication;
    private RdbPersistence persistence;
    private AppendOnlyFile aof;
    private Thread reaper;
    private volatile boolean stopping;
    private int boundPort;

    public RingkvServer(final ServerConfig config, final ServerLog log)
    {
        this(config, log, ClientAdmission::isLocal);
    }

    /**
     * For tests only: clients of a test all come from loopback, so protected mode's refusal of non-local clients
     * (the refusal, the close, the count, CONFIG SET letting them in) is tested end to end by a predicate that calls
     * some loopback clients remote. Not an option: the server's notion of local is Redis's, fixed.
     *
     * @param localPeer says whether a client's address (null when unknown) is local.
     */
    RingkvServer(final ServerConfig config, final ServerLog log, final Predicate<InetAddress> localPeer)
    {
        this.config = config;
        this.log = log;
        this.localPeer = localPeer;
    }

    /**
     * Check the configuration, start the engine and begin accepting connections.
     *
     * @throws IOException when an address cannot be bound.
     * @throws IllegalStateException when protected mode refuses the configuration, or the JVM was started without
     *                               the option the engine's socket writes need.
     */
    public void start() throws IOException
    {
        NonBlockingSocketWrite.ensureAvailable();
        final List<InetAddress> addresses = bindAddresses();
        checkProtectedMode(addresses);
        final InetAddress metricsAddress = checkMetricsAccess();
        fitMaxclientsToFileLimit();

        keyspace = new Keyspace(new StoreConfig()
            .databases((int)config.databases.number())
            .maxMemoryBytes(config.maxmemory.number())
            .validate());
        ConfigCommands.applyEviction(config, keyspace);
        ConfigCommands.applyCollectionLimits(config, keyspace);
        final CommandTable commands = CoreCommands.newTable();
        ConnectionStateCommands.register(commands, this);
        MigrateCommand.register(commands);
        InfoCommands.register(commands, this);
        ConfigCommands.register(commands, this);
        CommandIntrospectionCommands.register(commands, this);
        ClientCommands.register(commands, this);
        ServerCommands.register(commands, this);
        DebugCommands.register(commands, this);
        LatencyCommands.register(commands, this);
        SlowlogCommands.register(commands);
        MemoryCommands.register(commands, this);
        ObjectCommands.register(commands);
        PubSubCommands.register(commands);
        scripts = new ScriptEngine(scriptRunState, ConnectionStateCommands.REDIS_VERSION);
        ScriptCommands.register(commands, scripts);
        scriptBusyGate = new ScriptBusyGate(scriptRunState, config.busyReplyThreshold.number());
        config.onChange(config.busyReplyThreshold, option -> scriptBusyGate.threshold(option.number()));
        final FunctionRegistry functions = new FunctionRegistry();
        functions.registerEngine(new LuaLibraryEngine(scripts));
        FunctionContainerCommands.register(commands, new FunctionCommands(functions));
        scriptMemory = new ScriptMemory(scripts, functions);
        replication = new ReplicationNode(new ReplicationConfig()
            .backlogBytes(config.replBacklogSize.number())
            .masterauth(config.masterauth::text)
            .masteruser(config.masteruser::text)
            .replicaProtocol(config.replicaProtocol::text)
            .dir(() -> Path.of(config.dir.text()))
            .rdbLoader((target, databases, file) -> RdbLoader.forMasterSync(target, databases).load(file))
            .replicaReadOnly(config.replicaReadOnly::isYes)
            .replicaof(config.replicaof.text())
            .redisReplicas(config.replDisklessSync::isYes, config.replPingReplicaPeriod::number,
                config.replTimeout::number, () -> config.outputBufferLimits.hardBytes(OutputBufferLimits.REPLICA))
            .log(log::notice));
        ReplicationCommands.register(commands, replication);
        replication.functionLibraries(functions::codes);
        final String savePointsError = SavePoints.validate(config.save.text());
        if (savePointsError != null)
        {
            throw new IllegalStateException("save '" + config.save.text() + "': " + savePointsError);
        }
        config.validate(config.save, option -> SavePoints.validate(option.text()));
        config.validate(config.dir, option -> Files.isDirectory(Path.of(option.text())) ? null :
            "No such file or directory");
        persistence = new RdbPersistence(new PersistenceConfig()
            .dir(config.dir::text)
            .dbfilename(config.dbfilename::text)
            .save(config.save::text)
            .compression(config.rdbcompression::isYes)
            .checksum(config.rdbchecksum::isYes)
            .redisVersion(ConnectionStateCommands.REDIS_VERSION)
            .functionLibraries(context -> functions.codes())
            .log(log::notice, log::warning));
        PersistenceCommands.register(commands, persistence);
        replication.redisReplicas(new RespSlotEncoder(), persistence.rdbFile());
        infoSections.add("replication", "Replication", true, (context, info) -> replication.writeInfo(info::line));
        config.onChange(config.replicaReadOnly, option -> replication.replicaReadOnlyChanged());
        config.onChange(config.replBacklogSize, option -> replication.backlogSize(option.number()));
        aof = new AppendOnlyFile(Path.of(config.dir.text()), config.appenddirname.text(),
            config.appendfilename.text(), replication, log::notice, log::warning);
        AofCommands.register(commands, aof);
        aof.rdbPreamble(config.aofUseRdbPreamble::isYes, persistence.rdbFile(), keyspace);
        aof.fsyncPolicy(config.appendfsync.text());
        aof.loadTruncated(config.aofLoadTruncated.isYes());
        aof.autoRewrite(config.autoAofRewritePercentage.number(), config.autoAofRewriteMinSize.number());
        config.onChange(config.appendfsync, option -> aof.fsyncPolicy(option.text()));
        config.onChange(config.aofLoadTruncated, option -> aof.loadTruncated(option.isYes()));
        config.onChange(config.autoAofRewritePercentage, option ->
            aof.autoRewrite(option.number(), config.autoAofRewriteMinSize.number()));
        config.onChange(config.autoAofRewriteMinSize, option ->
            aof.autoRewrite(config.autoAofRewritePercentage.number(), option.number()));
        config.onChange(config.appendonly, this::appendonlyChanged);
        engine = new Engine(new EngineConfig()
            .ringSize((int)config.engineRingSize.number())
            .waitStrategy(config.engineWaitStrategy.text())
            .threadKind(config.engineThread.text())
            .tickIntervalMs(1000 / config.hz.number())
            .maxStringLength(config.protoMaxBulkLen.number())
            .latencyTracking(config.latencyTracking.isYes())
            .slowlogSlowerThanUs(config.slowlogLogSlowerThan.number())
            .slowlogMaxLength(config.slowlogMaxLen.number())
            .latencyMonitorThresholdMs(config.latencyMonitorThreshold.number())
            .keyspaceEvents((int)config.notifyKeyspaceEvents.number()), keyspace, commands, List.of(replication.logEncoder()));
        pauseGate = new ClientPauseGate(engine.clientPause(), commands);
        engine.start();
        final boolean appendOnly = config.appendonly.isYes();
        if (!appendOnly)
        {
            loadRdbFile(); // Redis's rule: with the append-only file on, it alone is loaded, not the RDB file
        }
        try
        {
            aof.start(engine, appendOnly);
            final long[] rdbKeys = aof.loadedRdbKeys();
            if (rdbKeys != null)
            {
                persistence.loaded(rdbKeys[0], rdbKeys[1]);
            }
        }
        catch (final IOException ex)
        {
            engine.close();
            keyspace.close();
            engine = null;
            keyspace = null;
            throw new IOException("cannot load the append only file: " + ex.getMessage(), ex);
        }

        int port = (int)config.port.number();
        for (final InetAddress address : addresses)
        {
            final ServerSocketChannel listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            try
            {
                listener.bind(new InetSocketAddress(address, port), 511);
            }
            catch (final IOException ex)
            {
                listener.close();
                closeListeners();
                engine.close();
                keyspace.close();
                engine = null;
                keyspace = null;
                throw new IOException("cannot listen on " + address.getHostAddress() + ":" + port + ": " +
                    ex.getMessage(), ex);
            }
            port = ((InetSocketAddress)listener.getLocalAddress()).getPort();
            listeners.add(listener);
        }
        boundPort = port;
        if (config.metricsPort.number() > 0)
        {
            try
            {
                metrics = MetricsEndpoint.start(metricsAddress, (int)config.metricsPort.number(), engine,
                    this::metricsCredential);
            }
            catch (final IOException ex)
            {
                close();
                throw new IOException("metrics port " + config.metricsPort.number() + ": " + ex.getMessage(), ex);
            }
        }
        replication.start(engine, keyspace, boundPort);
        persistence.start(engine, keyspace, replication);
        for (final ServerSocketChannel listener : listeners)
        {
            acceptors.add(Thread.ofPlatform().name("ringkv-accept-" + listener.socket().getLocalPort())
                .daemon().start(() -> acceptLoop(listener)));
        }
        reaper = Thread.ofPlatform().name("ringkv-idle-reaper").daemon().start(this::reapIdleClients);
    }

    /**
     * Load dir/dbfilename, if there is one, before any client is served; a refused file stops the start (so
     * nothing runs half-loaded) with the reader's message, which names the offset.
     */
    private void loadRdbFile() throws IOException
    {
        final Path file = persistence.file();
        final long startNs = System.nanoTime();
        try
        {
            final RdbLoader loader = RdbLoader.atStart(engine, keyspace.databases());
            final long keys = loader.load(file);
            if (keys >= 0)
            {
                persistence.loaded(keys - loader.keysExpired(), loader.keysExpired());
                replication.continueHistory(engine, loader.replid(), loader.replOffset(), loader.respOffset());
                log.notice("DB loaded from disk: " + keys + " keys from " + file + " in " +
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs) + " ms");
            }
        }
        catch (final IOException ex)
        {
            engine.close();
            keyspace.close();
            engine = null;
            keyspace = null;
            throw new IOException("cannot load the RDB file " + file + ": " + ex.getMessage(), ex);
        }
    }

    private List<InetAddress> bindAddresses() throws IOException
    {
        final List<InetAddress> addresses = new ArrayList<>();
        for (final String word : config.bind.text().split(" "))
        {
            if (word.isEmpty())
            {
                continue;
            }
            addresses.add("*".equals(word) ? InetAddress.getByName("0.0.0.0") :
                "::*".equals(word) ? InetAddress.getByName("::") : InetAddress.getByName(word));
        }
        if (addresses.isEmpty())
        {
            throw new IOException("bind lists no address");
        }
        return addresses;
    }

    /**
     * Redis's protected mode answers non-loopback clients with an error when no password is set (ringkv does too,
     * per connection: {@link ClientAdmission}); ringkv also refuses to start in that configuration, so an open,
     * password-less server is never an accident, unless told to start anyway as Redis does.
     */
    private void checkProtectedMode(final List<InetAddress> addresses)
    {
        if (!config.protectedMode.isYes() || !config.requirepass.text().isEmpty() || config.allowUnprotected.isYes())
        {
            return;
        }
        for (final InetAddress address : addresses)
        {
            if (!address.isLoopbackAddress())
            {
                throw new IllegalStateException("refusing to listen on " + address.getHostAddress() +
                    " without a password while protected-mode is on: set requirepass, or bind 127.0.0.1, or say " +
                    "you know with --protected-mode no (or --ringkv-allow-unprotected yes to start and refuse such clients " +
                    "per connection, as Redis does)");
            }
        }
    }

    /**
     * The metrics endpoint shows what INFO shows, so it is as private: it listens on loopback unless told
     * otherwise, asks for the password whenever one is set, and refuses to listen beyond loopback with none.
     *
     * @return the address to listen on (resolved even when the endpoint is off, so a bad one is found at start).
     */
    private InetAddress checkMetricsAccess() throws IOException
    {
        final InetAddress address = InetAddress.getByName(config.metricsBind.text());
        if (config.metricsPort.number() > 0 && !address.isLoopbackAddress() && metricsCredential().isEmpty())
        {
            throw new IllegalStateException("refusing to serve metrics on " + address.getHostAddress() +
                " without a password: set ringkv-metrics-password (or requirepass), or ringkv-metrics-bind 127.0.0.1");
        }
        return address;
    }

    /**
     * @return the password a metrics scrape must give (as bytes, one char each): ringkv-metrics-password, else
     * requirepass; "" when neither is set.
     */
    private String metricsCredential()
    {
        final String dedicated = config.metricsPassword.text();
        return dedicated.isEmpty() ? config.requirepass.text() : dedicated;
    }

    /**
     * Redis lowers maxclients when the process may not open enough files for them, so that one client too many is
     * refused with an error instead of the accept loop failing on every attempt (EMFILE) while clients hang; and
     * CONFIG SET maxclients refuses what the limit cannot hold, with Redis's text.
     */
    private void fitMaxclientsToFileLimit()
    {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os))
        {
            return;
        }
        final long maxFiles = os.getMaxFileDescriptorCount();
        final long available = Math.max(1, maxFiles - os.getOpenFileDescriptorCount() - RESERVED_FILE_DESCRIPTORS);
        if (config.maxclients.number() > available)
        {
            config.maxclients.set(Long.toString(available));
            log.warning("Current maximum open files is " + maxFiles + ". maxclients has been reduced to " + available +
                " to compensate for low ulimit. If you need higher maxclients increase 'ulimit -n'.");
        }
        config.validate(config.maxclients, option -> option.number() <= available ? null :
            "The operating system is not able to handle the specified number of clients, try with " + available);
    }

    private void acceptLoop(final ServerSocketChannel listener)
    {
        final SpareFileDescriptor spare = new SpareFileDescriptor();
        long lastFailureLogMs = 0;
        while (!stopping)
        {
            final SocketChannel channel;
            try
            {
                channel = listener.accept();
            }
            catch (final ClosedChannelException ex)
            {
                spare.close();
                return;
            }
            catch (final IOException ex)
            {
                // Out of file descriptors (EMFILE): give the spare one up to answer the waiting client, so it is
                // told instead of hanging in the backlog, then back off rather than spin on the same error.
                final boolean answered = spare.refuseOne(listener, MAX_CLIENTS_REACHED);
                final long nowMs = System.currentTimeMillis();
                if (nowMs - lastFailureLogMs >= 1000)
                {
                    log.warning("Error accepting a client connection: " + ex.getMessage() +
                        (answered ? " (the client was told: max number of clients reached)" : ""));
                    lastFailureLogMs = nowMs;
                }
                LockSupport.parkNanos(ACCEPT_RETRY_NS);
                continue;
            }
            admit(channel);
        }
        spare.close();
    }

    private void admit(final SocketChannel channel)
    {
        try
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
            final InetAddress peer = channel.getRemoteAddress() instanceof InetSocketAddress address ?
                address.getAddress() : null;
            final boolean local = localPeer.test(peer);
            if (ClientAdmission.deniedByProtectedMode(config, local))
            {
                // Counted before the client is told, as Redis does: a client that reads the denial and then asks
                // INFO (ProtectedModeEndToEndTest) must find it counted.
                registry.rejected();
                channel.write(ByteBuffer.wrap(ClientAdmission.DENIED.getBytes(StandardCharsets.US_ASCII)));
                channel.close();
                return;
            }
            final ClientConnection connection = new ClientConnection(
                registry.nextId(), channel, engine, registry, config.requirepass.text().isEmpty(),
                config.protoMaxBulkLen.number(), config.jsonMaxLineLength.number(), config.clientQueryBufferLimit.number());
            connection.session().protectedCommandsAllowed(ClientAdmission.debugAllowed(config, local));
            connection.outputBufferLimits(config.outputBufferLimits);
            connection.scriptBusyGate(scriptBusyGate);
            connection.pauseGate(pauseGate);
            if (stopping || !registry.add(connection, config.maxclients.number()))
            {
                channel.write(ByteBuffer.wrap(MAX_CLIENTS_REACHED));
                channel.close();
                return;
            }
            Thread.ofVirtual().name("ringkv-client-", connection.id()).start(connection);
        }
        catch (final IOException ex)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // Already gone.
            }
        }
    }

    private void reapIdleClients()
    {
        while (!stopping)
        {
            try
            {
                Thread.sleep(1000);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long timeoutMs = config.timeout.number() * 1000;
            if (timeoutMs <= 0)
            {
                continue;
            }
            final long nowMs = System.currentTimeMillis();
            for (final ClientConnection connection : registry.snapshot())
            {
                if (!connection.executing() && nowMs - connection.lastInteractionMs() > timeoutMs)
                {
                    log.verbose("Closing idle client id=" + connection.id());
                    connection.kill();
                }
            }
        }
    }

    /**
     * Ask the owner to shut the server down (SHUTDOWN); returns at once. Any thread, including the engine.
     */
    public void requestShutdown()
    {
        shutdownRequested.countDown();
    }

    /**
     * Block until {@link #requestShutdown()} is called.
     *
     * @throws InterruptedException when interrupted while waiting.
     */
    public void awaitShutdownRequest() throws InterruptedException
    {
        shutdownRequested.await();
    }

    @Override
    public ScriptMemory scriptMemory()
    {
        return scriptMemory;
    }

    /**
     * @return the running script as the connection threads see it (BUSY, SCRIPT KILL, FUNCTION KILL).
     */
    public ScriptRunState scriptRunState()
    {
        return scriptRunState;
    }

    /**
     * Stop accepting, let connections read and answer what their clients had sent (each until it has been quiet for
     * {@link #DRAIN_QUIET_MS}, all within {@link #DRAIN_TIMEOUT_MS}), then stop the engine and free the keyspace.
     */
    @Override
    public void close()
    {
        if (stopping)
        {
            return;
        }
        stopping = true;
        closeListeners();
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_TIMEOUT_MS);
        while (registry.size() > 0 && System.nanoTime() < deadlineNs)
        {
            final long nowMs = System.currentTimeMillis();
            for (final ClientConnection connection : registry.snapshot())
            {
                if (connection.waitingForInputFor(nowMs, DRAIN_QUIET_MS))
                {
                    connection.shutdownInput();
                }
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (final ClientConnection connection : registry.snapshot())
        {
            connection.kill();
        }
        if (null != reaper)
        {
            reaper.interrupt();
        }
        if (null != metrics)
        {
            metrics.close();
        }
        finalSaveOnSignal();
        if (null != persistence)
        {
            persistence.close();
        }
        if (null != replication)
        {
            replication.close();
        }
        if (null != engine)
        {
            engine.close();
        }
        if (null != scripts)
        {
            scripts.close();
        }
        if (null != aof)
        {
            aof.close(); // after the engine: what it buffered is written and fsynced
        }
        if (null != keyspace)
        {
            keyspace.close();
        }
        if (null != replication)
        {
            replication.free();
        }
        shutdownRequested.countDown();
    }

    /**
     * Stopped by a signal (or by the owner), not by SHUTDOWN: Redis's SIGTERM rules, i.e. SHUTDOWN's default (save
     * when save points are set), run as an internal SHUTDOWN. Unlike Redis, which keeps running when that save
     * fails, ringkv logs the failure and stops anyway: the owner asked for the stop.
     */
    private void finalSaveOnSignal()
    {
        if (null == persistence || null == engine || persistence.isShutdownDecided() || !persistence.savePoints().any())
        {
            return;
        }
        final CommandBatchBuilder shutdown = new CommandBatchBuilder(new ClientSession(-5, true), new ApplyReply());
        shutdown.arg("SHUTDOWN").end();
        shutdown.execute(engine);
        if (shutdown.reply().errors() > 0)
        {
            log.warning("SIGTERM received but errors trying to save the DB before stopping: stopping anyway");
        }
    }

    private void closeListeners()
    {
        for (final ServerSocketChannel listener : listeners)
        {
            try
            {
                listener.close();
            }
            catch (final IOException ignore)
            {
                // Closing is all we wanted.
            }
        }
    }

    /**
     * @return the port the server listens on (the ephemeral port chosen when configured with port 0).
     */
    public int port()
    {
        return boundPort;
    }

    /**
     * Engine thread (CONFIG SET appendonly): start the append-only file with a rewrite, or stop it.
     */
    private void appendonlyChanged(final ConfigOption option)
    {
        if (option.isYes())
        {
            final String error = aof.enable(engine.lastRecordOffset());
            if (error != null)
            {
                log.warning("appendonly yes failed: " + error);
            }
        }
        else
        {
            aof.disable();
        }
    }

    /**
     * @return this server's append-only file (INFO persistence, tests).
     */
    @Override
    public AppendOnlyFile aof()
    {
        return aof;
    }

    /**
     * @return this server's replication node (INFO replication, tests).
     */
    public ReplicationNode replication()
    {
        return replication;
    }

    public ServerConfig config()
    {
        return config;
    }

    public ServerLog log()
    {
        return log;
    }

    public ConnectionRegistry registry()
    {
        return registry;
    }

    public long startedMs()
    {
        return startedMs;
    }

    @Override
    public RdbPersistence persistence()
    {
        return persistence;
    }

    /**
     * @return the engine, once started (INFO reads its replication offset).
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * @return INFO's sections; other modules add theirs here.
     */
    public InfoSections infoSections()
    {
        return infoSections;
    }
}
