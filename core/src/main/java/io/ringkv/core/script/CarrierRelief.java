package io.ringkv.core.script;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Lets the virtual-thread scheduler add a carrier while a virtual engine thread runs a long script. Inside Lua the
 * engine is pinned to its carrier (a native frame), and with {@code ringkv-io-threads 1} that carrier is the only
 * one: the connections could not even run to answer BUSY, SCRIPT KILL or SHUTDOWN NOSAVE. The JDK's own
 * compensation for a carrier that blocks ({@code jdk.internal.misc.Blocker}, as for file I/O) is asked for once a
 * script runs long, and given back when it ends. Without access to it (the module is not exported) nothing happens.
 * Engine thread only.
 */
final class CarrierRelief
{
    private static final MethodHandle BEGIN;
    private static final MethodHandle END;
    /** JDK 21 returns a long compensation token; later JDKs a boolean. */
    private static final boolean LONG_TOKEN;

    static
    {
        MethodHandle begin = null;
        MethodHandle end = null;
        boolean longToken = false;
        try
        {
            final Class<?> blocker = Class.forName("jdk.internal.misc.Blocker");
            final MethodHandles.Lookup lookup = MethodHandles.lookup();  // sees --add-exports to ALL-UNNAMED
            try
            {
                begin = lookup.findStatic(blocker, "begin", MethodType.methodType(boolean.class));
                end = lookup.findStatic(blocker, "end", MethodType.methodType(void.class, boolean.class));
            }
            catch (final NoSuchMethodException e)
            {
                begin = lookup.findStatic(blocker, "begin", MethodType.methodType(long.class));
                end = lookup.findStatic(blocker, "end", MethodType.methodType(void.class, long.class));
                longToken = true;
            }
        }
        catch (final ReflectiveOperationException | RuntimeException e)
        {
            begin = null;
            end = null;
        }
        BEGIN = begin;
        END = end;
        LONG_TOKEN = longToken;
    }

    private long token;
    private boolean active;

    /**
     * Asks for a spare carrier, once, when the current thread is virtual.
     */
    void begin()
    {
        if (active || null == BEGIN || !Thread.currentThread().isVirtual())
        {
            return;
        }
        try
        {
            if (LONG_TOKEN)
            {
                token = (long) BEGIN.invokeExact();
                active = token > 0;
            }
            else
            {
                active = (boolean) BEGIN.invokeExact();
            }
        }
        catch (final Throwable e)
        {
            active = false;
        }
    }

    /**
     * Gives the spare carrier back (still on the carrier that asked: nothing between can unmount the thread).
     */
    void end()
    {
        if (!active)
        {
            return;
        }
        active = false;
        try
        {
            if (LONG_TOKEN)
            {
                END.invokeExact(token);
            }
            else
            {
                END.invokeExact(true);
            }
        }
        catch (final Throwable e)
        {
            // nothing to undo: the scheduler keeps one more carrier
        }
    }
}
