package io.ringkv.net.server.command;

/**
 * The server log as commands write to it, and CONFIG SET loglevel changes it. Threadsafe.
 */
public interface CommandLog
{
    void verbose(String message);

    void notice(String message);

    void warning(String message);

    /**
     * @param level the least severe level written from now on.
     */
    void level(int level);
}
