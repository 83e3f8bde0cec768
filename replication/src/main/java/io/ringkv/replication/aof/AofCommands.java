package io.ringkv.replication.aof;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandTable;

import java.nio.charset.StandardCharsets;

/**
 * BGREWRITEAOF, registered in the server's command table: rewrites the append-only file without a fork, from the
 * full sync's point-in-time snapshot (docs/persistence.md).
 */
public final class AofCommands
{
    private AofCommands()
    {
    }

    /**
     * @param table to register in.
     * @param aof   the server's append-only file.
     */
    public static void register(final CommandTable table, final AppendOnlyFile aof)
    {
        table.register("bgrewriteaof", 1, Command.ADMIN, (context, args, reply) ->
        {
            final String answer = aof.rewrite(context.changeLog().lastOffset());
            if (answer.startsWith("ERR"))
            {
                reply.error(answer);
            }
            else
            {
                reply.simpleString(answer.getBytes(StandardCharsets.US_ASCII));
            }
        });
    }
}
