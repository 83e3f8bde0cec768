package io.ringkv.net.server;

import io.ringkv.core.command.ClientPause;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.engine.RequestBatch;
import org.agrona.DirectBuffer;

/**
 * Where a client's requests wait during CLIENT PAUSE (Redis 7.0's processCommand: a paused client is blocked with
 * BLOCKED_POSTPONE, not refused, and its command runs once the pause ends): the connection's thread waits before it
 * publishes a batch holding a request the pause holds, so the engine keeps serving every other connection, and the
 * batch's replies keep their order.
 * <ul>
 * <li>{@code ALL}: every request.</li>
 * <li>{@code WRITE}: a command flagged write, one Redis flags may-replicate (EVAL, EVALSHA and FCALL, except an EVAL
 * whose shebang declares {@code no-writes}; PUBLISH, SPUBLISH, PFCOUNT), FUNCTION LOAD/DELETE/FLUSH/RESTORE; inside
 * MULTI only EXEC (the queued commands are answered QUEUED).</li>
 * </ul>
 * The unit held is the batch: a read pipelined in front of a held write is answered with it, after the pause (same
 * replies, later). Connections handed over to replication (replicas) and the engine's internal clients (the master's
 * stream on a replica, the AOF loader) do not come here: they are never paused, as in Redis.
 */
public final class ClientPauseGate
{
    private static final String[] MAY_REPLICATE = {"eval", "evalsha", "fcall", "publish", "spublish", "pfcount"};
    private static final String[] WRITING_FUNCTION_SUBCOMMANDS = {"load", "delete", "flush", "restore"};
    private static final String NO_WRITES = "no-writes";

    private final ClientPause pause;
    private final CommandTable commands;

    /**
     * @param pause    the engine's CLIENT PAUSE state.
     * @param commands the command table, for the write flag.
     */
    public ClientPauseGate(final ClientPause pause, final CommandTable commands)
    {
        this.pause = pause;
        this.commands = commands;
    }

    /**
     * Connection thread, before its batch goes to the engine: returns at once without a pause, else once the batch
     * is no longer held.
     *
     * @param batch the parsed batch.
     */
    public void await(final RequestBatch batch)
    {
        if (pause.mayBePaused())
        {
            pause.await(type -> holds(batch, type));
        }
    }

    /**
     * @param batch a parsed batch.
     * @param type  the pause in force: {@link ClientPause#WRITE} or {@link ClientPause#ALL}.
     * @return true when one of its requests waits for the pause to end.
     */
    boolean holds(final RequestBatch batch, final int type)
    {
        if (type == ClientPause.ALL)
        {
            return batch.requestCount() > 0;
        }
        final boolean queuing = batch.session().inTransaction();
        for (int request = 0, count = batch.requestCount(); request < count; request++)
        {
            if (batch.argCount(request) > 0 && mayWrite(batch, request, queuing))
            {
                return true;
            }
        }
        return false;
    }

    private boolean mayWrite(final RequestBatch batch, final int request, final boolean queuing)
    {
        final int arg = batch.firstArg(request);
        final DirectBuffer buffer = batch.argBuffer();
        final int offset = batch.argOffset(arg);
        final int length = batch.argLength(arg);
        if (queuing)
        {
            return is(buffer, offset, length, "exec");
        }
        final Command command = commands.lookup(buffer, offset, length);
        if (command == null)
        {
            return false; // answered with an error, as Redis rejects an unknown command before the pause check
        }
        if (command.hasFlag(Command.WRITE))
        {
            return true;
        }
        if (is(buffer, offset, length, "eval"))
        {
            return !(batch.argCount(request) > 1 && declaresNoWrites(batch, arg + 1));
        }
        for (final String name : MAY_REPLICATE)
        {
            if (is(buffer, offset, length, name))
            {
                return true;
            }
        }
        if (is(buffer, offset, length, "function") && batch.argCount(request) > 1)
        {
            final int sub = arg + 1;
            for (final String name : WRITING_FUNCTION_SUBCOMMANDS)
            {
                if (is(buffer, batch.argOffset(sub), batch.argLength(sub), name))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Redis reads an EVAL script's flags from its shebang line ({@code #!lua flags=no-writes,...}).
     */
    private static boolean declaresNoWrites(final RequestBatch batch, final int scriptArg)
    {
        final DirectBuffer buffer = batch.argBuffer();
        final int offset = batch.argOffset(scriptArg);
        final int length = batch.argLength(scriptArg);
        if (length < 2 || buffer.getByte(offset) != '#' || buffer.getByte(offset + 1) != '!')
        {
            return false;
        }
        int end = 2;
        while (end < length && buffer.getByte(offset + end) != '\n')
        {
            end++;
        }
        final String shebang = buffer.getStringWithoutLengthAscii(offset, end);
        final int flags = shebang.indexOf("flags=");
        if (flags < 0)
        {
            return false;
        }
        final int valueEnd = shebang.indexOf(' ', flags);
        final String value = shebang.substring(flags + "flags=".length(), valueEnd < 0 ? shebang.length() : valueEnd);
        for (final String flag : value.split(","))
        {
            if (NO_WRITES.equals(flag))
            {
                return true;
            }
        }
        return false;
    }

    private static boolean is(final DirectBuffer buffer, final int offset, final int length, final String lowerName)
    {
        if (length != lowerName.length())
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if ((buffer.getByte(offset + i) | 0x20) != lowerName.charAt(i))
            {
                return false;
            }
        }
        return true;
    }
}
