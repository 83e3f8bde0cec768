package io.ringkv.net.server;

import io.ringkv.net.server.command.CommandLog;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The server's log: one line per event with pid, role, time and level, in Redis's layout
 * ({@code 4242:M 21 Nov 2026 08:21:19.123 * Ready to accept connections}) so that people and tools used to Redis's
 * log read it unchanged. Level marks: {@code .} debug, {@code -} verbose, {@code *} notice, {@code #} warning.
 * <p>
 * Threadsafe (PrintStream locks); never called on per-request paths.
 */
public final class ServerLog implements CommandLog
{
    /** Levels in Redis's order; a line is written when its level is at least the configured one. */
    public static final int DEBUG = 0;
    public static final int VERBOSE = 1;
    public static final int NOTICE = 2;
    public static final int WARNING = 3;

    private static final char[] MARKS = { '.', '-', '*', '#' };
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss.SSS", Locale.ROOT);

    private final PrintStream out;
    private final long pid = ProcessHandle.current().pid();
    private volatile int level;
    private volatile char role = 'M';

    /**
     * @param out   where lines go.
     * @param level least severe level written.
     */
    public ServerLog(final PrintStream out, final int level)
    {
        this.out = out;
        this.level = level;
    }

    /**
     * @param level least severe level written from now on (CONFIG SET loglevel).
     */
    public void level(final int level)
    {
        this.level = level;
    }

    /**
     * @param role 'M' for a master, 'S' for a replica, 'C' for a child, as Redis marks them.
     */
    public void role(final char role)
    {
        this.role = role;
    }

    public void debug(final String message)
    {
        log(DEBUG, message);
    }

    public void verbose(final String message)
    {
        log(VERBOSE, message);
    }

    public void notice(final String message)
    {
        log(NOTICE, message);
    }

    public void warning(final String message)
    {
        log(WARNING, message);
    }

    /**
     * @param messageLevel level of this line.
     * @param message      the text.
     */
    public void log(final int messageLevel, final String message)
    {
        if (messageLevel >= level)
        {
            out.println(pid + ":" + role + " " + TIME.format(ZonedDateTime.now(ZoneOffset.UTC)) + " "
                + MARKS[messageLevel] + " " + message);
        }
    }
}
