package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.json.JsonDocuments;
import io.ringkv.core.memory.ExpandableOffHeapBuffer;
import io.ringkv.core.rdb.DumpPayloadReader;
import io.ringkv.core.rdb.DumpPayloadWriter;
import io.ringkv.core.rdb.RdbStringEncoder;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.ValueType;
import org.agrona.MutableDirectBuffer;

/**
 * Everything a {@link CommandHandler} may touch while it executes: the keyspace, the client's session, the time
 * cached for the batch, the change log, and reusable flyweights and scratch space, so that handlers keep no
 * state of their own and allocate nothing.
 * <p>
 * Only the engine thread uses a context; the engine sets the session and time before each request.
 */
public final class CommandContext
{
    /** What {@link #findKeyOfType} returns once it has replied WRONGTYPE. */
    public static final long WRONG_TYPE = -2;

    /** Scratch space larger than this is released after the command that needed it. */
    static final int RETAINED_SCRATCH_CAPACITY = 1024 * 1024;
    /** A DUMP payload buffer up to this size is kept: DUMPs of values of a few MB then reuse it. */
    static final int RETAINED_PAYLOAD_CAPACITY = RdbStringEncoder.SCRATCH_RETAIN_LIMIT;

    private final HashPayloads hashPayloads = new HashPayloads();
    private final SetPayloads setPayloads = new SetPayloads();
    private final ListPayloads listPayloads = new ListPayloads();
    private final ZSetPayloads zsetPayloads = new ZSetPayloads();
    private final Keyspace keyspace;
    private final ChangeLog changeLog;
    private final CommandTable commands;
    private long maxStringLength;
    private final EntryFlyweight entry = new EntryFlyweight();
    private final EntryFlyweight otherEntry = new EntryFlyweight();
    private final AsciiNumbers numbers = new AsciiNumbers();
    private final JsonDocuments jsonDocuments = new JsonDocuments();
    private final KeyCollector keyCollector = new KeyCollector();
    private final PendingValue pendingValue = new PendingValue();
    private final DumpPayloadWriter dumpWriter = new DumpPayloadWriter();
    private final DumpPayloadReader dumpReader = new DumpPayloadReader();
    private final ErrorStats errorStats = new ErrorStats();
    private final SlowLog slowLog = new SlowLog();
    private final MonitorFeed monitors = new MonitorFeed();
    private final PubSub pubSub = new PubSub();
    private final LatencyMonitor latencyMonitor = new LatencyMonitor();
    private final KeyspaceEvents keyspaceEvents = new KeyspaceEvents();
    private final BlockedClients blockedClients;
    private final ClientPause clientPause = new ClientPause();
    private final WatchedKeys watchedKeys;
    private CommandDispatcher dispatcher;
    private final ClientTracking clientTracking;
    private final ExpandableOffHeapBuffer scratch = new ExpandableOffHeapBuffer(256);
    private final ExpandableOffHeapBuffer payload = new ExpandableOffHeapBuffer(256);

    private boolean readOnlyReplica;
    private volatile boolean loading;
    private ClientSession session;
    private long nowMs;
    private boolean latencyTracking = true;
    private Command timedCommand;
    private long slowCallNs = new SlowLog().slowerThanNs();
    private long redactedArguments;
    private boolean mayNotBlock;
    private boolean oomExempt;

    /**
     * @param keyspace        the data.
     * @param changeLog       where handlers record what they change.
     * @param commands        the command table (for COMMAND and friends).
     * @param maxStringLength largest string value in bytes (proto-max-bulk-len).
     */
    public CommandContext(
        final Keyspace keyspace, final ChangeLog changeLog, final CommandTable commands, final long maxStringLength)
    {
        this.keyspace = keyspace;
        this.changeLog = changeLog;
        this.commands = commands;
        this.maxStringLength = maxStringLength;
        this.blockedClients = new BlockedClients(this, keyspace);
        pubSub.deliverKeyspaceEvents(keyspaceEvents);
        this.watchedKeys = new WatchedKeys(keyspace);
        this.clientTracking = new ClientTracking(keyspace);
    }

    /**
     * Engine thread: set the request's session and the cached time before dispatching it.
     *
     * @param session the connection's session.
     * @param nowMs   wall-clock time cached for the batch.
     */
    public void begin(final ClientSession session, final long nowMs)
    {
        this.session = session;
        this.nowMs = nowMs;
    }

    /**
     * Engine thread: release oversized scratch space after a command.
     */
    public void end()
    {
        if (scratch.capacity() > RETAINED_SCRATCH_CAPACITY)
        {
            scratch.shrink(256);
        }
        if (payload.capacity() > RETAINED_PAYLOAD_CAPACITY)
        {
            payload.shrink(256);
        }
        keyCollector.releaseIfLarge();
        redactedArguments = 0;
    }

    /**
     * @param enabled false stops recording latency histograms (CONFIG SET latency-tracking no). Engine thread.
     */
    public void latencyTracking(final boolean enabled)
    {
        this.latencyTracking = enabled;
    }

    /**
     * @return true while latency histograms are recorded.
     */
    public boolean latencyTracking()
    {
        return latencyTracking;
    }

    /**
     * The latency of the running call counts as {@code command}'s: a container (CONFIG, CLIENT...) names the
     * subcommand it runs, or null when it refuses the call (unknown subcommand, wrong arity), which Redis does not
     * time. The dispatcher starts each call timed as the command itself.
     *
     * @param command the command to time the call as, or null for none.
     */
    public void timeAs(final Command command)
    {
        this.timedCommand = command;
    }

    Command timedCommand()
    {
        return timedCommand;
    }

    /**
     * Engine thread: whether write commands from clients other than the master link are refused with READONLY
     * (a replica with replica-read-only yes).
     *
     * @param readOnlyReplica true on a read-only replica.
     */
    public void readOnlyReplica(final boolean readOnlyReplica)
    {
        this.readOnlyReplica = readOnlyReplica;
    }

    public boolean readOnlyReplica()
    {
        return readOnlyReplica;
    }

    /**
     * Any thread (a replica's master link): while a full sync loads, commands that read or write data are refused
     * with LOADING for every client but the master link, as Redis does while it loads a data set.
     *
     * @param loading true from a full sync's start until its data set is complete.
     */
    public void loading(final boolean loading)
    {
        this.loading = loading;
    }

    public boolean loading()
    {
        return loading;
    }

    public Keyspace keyspace()
    {
        return keyspace;
    }

    public ClientSession session()
    {
        return session;
    }

    /**
     * @return the session's selected database.
     */
    public int db()
    {
        return session.db();
    }

    /**
     * @return wall-clock ms cached when the engine started the batch (Redis caches it per command).
     */
    public long nowMs()
    {
        return nowMs;
    }

    /**
     * Looks up the key a command names in one argument, in the selected database, as of {@link #nowMs()}.
     *
     * @param args  the command's arguments.
     * @param index of the argument that names the key.
     * @return the live entry's address, or {@link Keyspace#NOT_FOUND}.
     */
    public long findKey(final CommandArgs args, final int index)
    {
        return keyspace.find(session.db(), args.buffer(), args.offset(index), args.length(index), nowMs);
    }

    /**
     * {@link #findKey} for a command that reads the key: a missing key is a "keymiss" keyspace event (Redis's
     * lookupKeyRead).
     *
     * @param args  the command's arguments.
     * @param index of the argument that names the key.
     * @return the live entry's address, or {@link Keyspace#NOT_FOUND}.
     */
    public long readKey(final CommandArgs args, final int index)
    {
        final long address = findKey(args, index);
        if (address == Keyspace.NOT_FOUND)
        {
            keyspaceEvents.notify(this, KeyspaceEvents.KEY_MISS, "keymiss", args, index);
        }
        return address;
    }

    /**
     * {@link #findKeyOfType} for a command that reads the key: a missing key is a "keymiss" keyspace event.
     *
     * @return as {@link #findKeyOfType}.
     */
    public long readKeyOfType(final CommandArgs args, final int index, final byte type, final Reply reply)
    {
        final long address = findKeyOfType(args, index, type, reply);
        if (address == Keyspace.NOT_FOUND)
        {
            keyspaceEvents.notify(this, KeyspaceEvents.KEY_MISS, "keymiss", args, index);
        }
        return address;
    }

    /**
     * {@link #findKey} for a command that works on one type: the strings' byte commands, the hash and set commands.
     *
     * @param args  the command's arguments.
     * @param index of the argument that names the key.
     * @param type  the {@link ValueType} the key must hold.
     * @param reply answered with WRONGTYPE when the key holds another type.
     * @return the entry's address, with {@link #entry()} wrapped on it; {@link Keyspace#NOT_FOUND} for a missing key
     * (nothing replied); or {@link #WRONG_TYPE} once WRONGTYPE has been replied.
     */
    public long findKeyOfType(final CommandArgs args, final int index, final byte type, final Reply reply)
    {
        final long address = findKey(args, index);
        if (address != Keyspace.NOT_FOUND && entry.wrap(address).type() != type)
        {
            reply.error(ErrorMessages.WRONG_TYPE);
            return WRONG_TYPE;
        }
        return address;
    }

    /**
     * @return the slow log (SLOWLOG); the dispatcher records into it. Engine thread.
     */
    public MonitorFeed monitors()
    {
        return monitors;
    }

    /**
     * @return Pub/Sub's channels and patterns; also where keyspace notifications are published. Engine thread.
     */
    public PubSub pubSub()
    {
        return pubSub;
    }

    /**
     * @return keyspace notifications: handlers report their events here (one mask test while none is enabled).
     */
    public KeyspaceEvents keyspaceEvents()
    {
        return keyspaceEvents;
    }

    /**
     * @return the clients blocked by BLPOP and friends: blocking handlers register here, the engine serves them.
     */
    public BlockedClients blockedClients()
    {
        return blockedClients;
    }

    /**
     * @return CLIENT PAUSE's state: set by its handlers, read by connections before they publish and by the TICK.
     */
    public ClientPause clientPause()
    {
        return clientPause;
    }

    /**
     * @return the keys connections WATCH; the engine hands it each slot's changes while any is watched.
     */
    public WatchedKeys watchedKeys()
    {
        return watchedKeys;
    }

    /**
     * @return the dispatcher whose call step runs commands from inside a command (EXEC; scripts).
     */
    public CommandDispatcher dispatcher()
    {
        return dispatcher;
    }

    void dispatcher(final CommandDispatcher dispatcher)
    {
        this.dispatcher = dispatcher;
    }

    /**
     * @return client-side caching's state: CLIENT TRACKING and the invalidations it sends.
     */
    public ClientTracking clientTracking()
    {
        return clientTracking;
    }

    /**
     * @return true while commands run inside EXEC (and, with scripting, a script): a blocking command then
     * answers as if its timeout had passed, as in Redis (CLIENT_DENY_BLOCKING), and keys made ready inside wake
     * waiters only once the whole unit is done.
     */
    public boolean mayNotBlock()
    {
        return mayNotBlock;
    }

    /**
     * @param mayNotBlock set by EXEC (and scripts) around the commands they run.
     */
    public void mayNotBlock(final boolean mayNotBlock)
    {
        this.mayNotBlock = mayNotBlock;
    }

    /**
     * @return true while a script that may ignore maxmemory runs its commands (allow-oom, or after its first write,
     * as Redis's scriptVerifyOOM): the admission step then skips the memory check.
     */
    public boolean oomExempt()
    {
        return oomExempt;
    }

    /**
     * @param oomExempt set by a script around each command it calls.
     */
    public void oomExempt(final boolean oomExempt)
    {
        this.oomExempt = oomExempt;
    }

    public SlowLog slowLog()
    {
        return slowLog;
    }

    /**
     * @return the latency monitor (LATENCY LATEST...). Engine thread, but see {@link LatencyMonitor#ringFullNs}.
     */
    public LatencyMonitor latencyMonitor()
    {
        return latencyMonitor;
    }

    /**
     * Engine thread: set slowlog-log-slower-than.
     *
     * @param slowerThanUs microseconds; negative turns the slow log off.
     */
    public void slowlogSlowerThanUs(final long slowerThanUs)
    {
        slowLog.slowerThanUs(slowerThanUs);
        slowCallNs = Math.min(slowLog.slowerThanNs(), latencyMonitor.thresholdNs());
    }

    /**
     * Engine thread: set latency-monitor-threshold.
     *
     * @param thresholdMs milliseconds; 0 turns the monitor off.
     */
    public void latencyMonitorThresholdMs(final long thresholdMs)
    {
        latencyMonitor.thresholdMs(thresholdMs);
        slowCallNs = Math.min(slowLog.slowerThanNs(), latencyMonitor.thresholdNs());
    }

    /**
     * @return the shortest call, in ns, that the slow log or the latency monitor wants to see: the dispatcher's one
     * comparison per call ({@link Long#MAX_VALUE} when both are off).
     */
    long slowCallNs()
    {
        return slowCallNs;
    }

    /**
     * The running call's argument {@code index} is a secret (a password): the slow log shows it as
     * {@code (redacted)}, as Redis's redactClientCommandArgument does. Arguments from 64 on cannot be redacted.
     *
     * @param index argument index, 0 being the command's name.
     */
    public void redactArgument(final int index)
    {
        if (index < Long.SIZE)
        {
            redactedArguments |= 1L << index;
        }
    }

    long redactedArguments()
    {
        return redactedArguments;
    }

    /**
     * @return the error replies counted by code (INFO errorstats); the dispatcher records them.
     */
    public ErrorStats errorStats()
    {
        return errorStats;
    }

    public ChangeLog changeLog()
    {
        return changeLog;
    }

    public CommandTable commands()
    {
        return commands;
    }

    /**
     * @return the largest string value a command may create, in bytes: proto-max-bulk-len, but never more than the
     * store holds in one value (a larger proto-max-bulk-len only lets larger requests in).
     */
    public long maxStringLength()
    {
        return Math.min(maxStringLength, keyspace.maxValueLength());
    }

    /**
     * Engine thread: change the largest string value (CONFIG SET proto-max-bulk-len).
     *
     * @param maxStringLength largest string value in bytes.
     */
    public void maxStringLength(final long maxStringLength)
    {
        this.maxStringLength = maxStringLength;
    }

    /**
     * @return the context's entry flyweight (re-wrap it for each entry).
     */
    public EntryFlyweight entry()
    {
        return entry;
    }

    /**
     * @return a second entry flyweight, for commands that hold two entries (COPY, RENAME).
     */
    public EntryFlyweight otherEntry()
    {
        return otherEntry;
    }

    public AsciiNumbers numbers()
    {
        return numbers;
    }

    public JsonDocuments jsonDocuments()
    {
        return jsonDocuments;
    }

    /**
     * @return the engine's DUMP serializer (DUMP, MIGRATE).
     */
    public DumpPayloadWriter dumpWriter()
    {
        return dumpWriter;
    }

    /**
     * @return the engine's DUMP payload verifier and decoder (RESTORE).
     */
    public DumpPayloadReader dumpReader()
    {
        return dumpReader;
    }

    PendingValue pendingValue()
    {
        return pendingValue;
    }

    KeyCollector keyCollector()
    {
        return keyCollector;
    }

    /**
     * @return the reader of hash DUMP payloads RESTORE uses; engine thread only.
     */
    HashPayloads hashPayloads()
    {
        return hashPayloads;
    }

    /**
     * @return the reader of set DUMP payloads RESTORE uses; engine thread only.
     */
    SetPayloads setPayloads()
    {
        return setPayloads;
    }

    /**
     * @return the reader of list DUMP payloads RESTORE uses; engine thread only.
     */
    ListPayloads listPayloads()
    {
        return listPayloads;
    }

    /**
     * @return the reader of sorted set DUMP payloads RESTORE uses; engine thread only.
     */
    ZSetPayloads zsetPayloads()
    {
        return zsetPayloads;
    }

    /**
     * @param capacity bytes needed.
     * @return space for a DUMP payload of at least {@code capacity} bytes, valid until the command ends; kept
     * between commands up to {@link #RETAINED_PAYLOAD_CAPACITY} so large DUMPs do not regrow it each time.
     */
    public MutableDirectBuffer payloadScratch(final int capacity)
    {
        payload.checkLimit(capacity);
        return payload;
    }

    /**
     * @param capacity bytes needed.
     * @return scratch space of at least {@code capacity} bytes, valid until the command ends.
     */
    public MutableDirectBuffer scratch(final int capacity)
    {
        scratch.checkLimit(capacity);
        return scratch;
    }
}
