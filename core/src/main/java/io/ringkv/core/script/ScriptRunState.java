package io.ringkv.core.script;

/**
 * What other threads may know of the script the engine thread is running, so that while a script runs long the
 * connections can answer without the engine (Redis's BUSY, SCRIPT KILL, FUNCTION KILL, SHUTDOWN NOSAVE).
 * <p>
 * The engine thread writes {@link #started}, {@link #wrote} and {@link #finished}; any thread may read them and
 * {@link #requestKill}. The script's interrupt hook, on the engine thread, polls {@link #killRequested()} and stops
 * the script with Redis's "Script killed by user" error when it is set.
 */
public final class ScriptRunState
{
    private volatile boolean running;
    private volatile boolean function;
    private volatile boolean wrote;
    private volatile boolean killRequested;
    private volatile long startedNs;
    /** Engine thread only. */
    private final CarrierRelief carrierRelief = new CarrierRelief();

    /** How long a script runs before a virtual engine thread asks for a spare carrier ({@link CarrierRelief}). */
    static final long CARRIER_RELIEF_AFTER_NS = 10_000_000L;

    /**
     * Engine thread: a script (or a function, for FCALL) begins.
     */
    public void started(final boolean function, final long nowNs)
    {
        this.function = function;
        wrote = false;
        killRequested = false;
        startedNs = nowNs;
        running = true;
    }

    /**
     * Engine thread: the running script has made its first write; from now on it cannot be killed (UNKILLABLE).
     */
    public void wrote()
    {
        wrote = true;
    }

    /**
     * Engine thread: the script has ended, however it ended.
     */
    public void finished()
    {
        running = false;
        killRequested = false;
        carrierRelief.end();
    }

    /**
     * Any thread: ask the running script to stop at its next hook call. The caller decides first, from
     * {@link #running()}, {@link #function()} and {@link #hasWritten()}, which of Redis's replies applies.
     */
    public void requestKill()
    {
        killRequested = true;
    }

    public boolean running()
    {
        return running;
    }

    public boolean function()
    {
        return function;
    }

    public boolean hasWritten()
    {
        return wrote;
    }

    /**
     * Engine thread, from the script's interrupt hook: whether a kill was requested. Once the script has run
     * {@link #CARRIER_RELIEF_AFTER_NS}, a virtual engine thread also asks the scheduler for a spare carrier here, so
     * that connections keep running (and can answer BUSY) while the script holds the engine's.
     */
    public boolean killRequested()
    {
        if (System.nanoTime() - startedNs > CARRIER_RELIEF_AFTER_NS)
        {
            carrierRelief.begin();
        }
        return killRequested;
    }

    /**
     * @return when the running script started, in {@link System#nanoTime()} terms.
     */
    public long startedNs()
    {
        return startedNs;
    }
}
