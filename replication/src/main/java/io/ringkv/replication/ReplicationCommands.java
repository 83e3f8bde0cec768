package io.ringkv.replication;

import io.ringkv.core.command.AsciiNumbers;
import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.ErrorMessages;
import io.ringkv.core.command.Reply;

import java.nio.charset.StandardCharsets;

/**
 * REPLICAOF / SLAVEOF, ROLE and the replication handshake's SYNC, registered in the server's command table. The
 * handlers run on the engine thread and only change the {@link ReplicationNode}'s state or start threads; none
 * waits.
 */
public final class ReplicationCommands
{
    private static final byte[] NO = "NO".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ONE = "ONE".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OFFSET = "OFFSET".getBytes(StandardCharsets.US_ASCII);

    private ReplicationCommands()
    {
    }

    /**
     * @param table to register in.
     * @param node  the server's replication node.
     */
    public static void register(final CommandTable table, final ReplicationNode node)
    {
        table.register("replicaof", 3, Command.ADMIN, (context, args, reply) -> replicaOf(node, context, args, reply));
        table.register("slaveof", 3, Command.ADMIN, (context, args, reply) -> replicaOf(node, context, args, reply));
        table.register("role", 1, Command.FAST, (context, args, reply) -> node.writeRole(reply));
        table.register("sync", -1, Command.ADMIN | Command.NO_MULTI,
            (context, args, reply) -> sync(node, context, args, reply));
        table.register("psync", -3, Command.ADMIN | Command.NO_MULTI,
            (context, args, reply) -> psync(node, context, args, reply));
        table.register("wait", 3, 0, (context, args, reply) -> waitForReplicas(node, context, args, reply));
        table.register("replconf", -1, Command.ADMIN, (context, args, reply) -> replconf(node, context, args, reply));
    }

    /**
     * REPLCONF OFFSET n, sent only by this server's own master link (internal client) after each batch it
     * applies: the records the engine makes from now on are numbered from n + 1, the master's numbering. Anything
     * else gets Redis's answer to an option it does not know.
     */
    private static void replconf(final ReplicationNode node, final CommandContext context, final CommandArgs args,
        final Reply reply)
    {
        if (args.count() == 3 && args.equalsIgnoreCase(1, OFFSET) && context.session().masterLink())
        {
            final AsciiNumbers numbers = context.numbers();
            if (!numbers.parseLong(args, 2) || numbers.value() < 0)
            {
                reply.error(ErrorMessages.NOT_INTEGER);
                return;
            }
            context.changeLog().continueFrom(numbers.value());
            reply.ok();
            return;
        }
        final RespReplication redisReplicas = node.redisReplicas();
        if (redisReplicas != null && redisReplicas.replconf(context, args, reply))
        {
            return; // a Redis replica's handshake: listening-port, ip-address, capa, ack, getack
        }
        if ((args.count() & 1) == 0)
        {
            reply.error(ErrorMessages.SYNTAX);
        }
        else if (args.count() == 1)
        {
            reply.ok();
        }
        else
        {
            reply.error("ERR Unrecognized REPLCONF option: " + args.asString(1));
        }
    }

    /**
     * WAIT numreplicas timeout: the number of replicas that acknowledged every change made so far. When more are
     * wanted, the engine does not wait: the reply is deferred to the client's own connection thread, which waits
     * for the acknowledgements (or the timeout) after its batch. That needs WAIT to be the batch's last request
     * (its reply must come last); a WAIT followed by pipelined requests answers at once with the current count.
     */
    private static void waitForReplicas(final ReplicationNode node, final CommandContext context,
        final CommandArgs args, final Reply reply)
    {
        if (node.isReplica())
        {
            reply.error("ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if " +
                "a replica is configured to be writable (which is not the default) writes to replicas are just " +
                "local and are not propagated.");
            return;
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 1))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long wanted = numbers.value();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long timeoutMs = numbers.value();
        if (timeoutMs < 0)
        {
            reply.error("ERR timeout is negative");
            return;
        }
        final long offset = context.changeLog().lastOffset();
        final int acked = node.ackedReplicas(offset);
        if (acked >= wanted || !args.lastOfBatch() || context.mayNotBlock())
        {
            reply.integer(acked);
            return;
        }
        final int requestIndex = args.requestIndex();
        final int wantedReplicas = (int)Math.min(wanted, Integer.MAX_VALUE);
        reply.deferred();
        final Reply connectionReply = reply.connectionReply();
        context.session().handover((channel, unread, unreadOffset, unreadLength) ->
        {
            final int reached = node.awaitAcks(offset, wantedReplicas, timeoutMs);
            connectionReply.startRequest(requestIndex);
            connectionReply.integer(reached);
            connectionReply.endRequest(requestIndex);
            return false;
        });
    }

    private static void replicaOf(final ReplicationNode node, final CommandContext context, final CommandArgs args,
        final Reply reply)
    {
        if (args.equalsIgnoreCase(1, NO) && args.equalsIgnoreCase(2, ONE))
        {
            node.promote(context);
            reply.ok();
            return;
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        final long port = numbers.value();
        if (port < 0 || port > 65535)
        {
            reply.error("ERR Invalid master port");
            return;
        }
        node.replicaOf(context, args.asString(1), (int)port);
        reply.ok();
    }

    /**
     * PSYNC replid offset: a Redis replica's sync request.
     */
    private static void psync(final ReplicationNode node, final CommandContext context, final CommandArgs args,
        final Reply reply)
    {
        final RespReplication redisReplicas = node.redisReplicas();
        if (redisReplicas == null)
        {
            reply.error("ERR unknown command 'psync'");
            return;
        }
        if (args.count() != 3)
        {
            reply.error("ERR wrong number of arguments for 'psync' command");
            return;
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2))
        {
            reply.error(ErrorMessages.NOT_INTEGER);
            return;
        }
        redisReplicas.psync(context, args.asString(1), numbers.value(), true, reply);
    }

    private static void sync(final ReplicationNode node, final CommandContext context, final CommandArgs args,
        final Reply reply)
    {
        if (args.count() == 1 && node.redisReplicas() != null)
        {
            node.redisReplicas().psync(context, "?", -1, false, reply); // Redis's SYNC: a full sync, no +FULLRESYNC
            return;
        }
        if (args.count() < 3)
        {
            reply.error("ERR wrong number of arguments for 'sync' command");
            return;
        }
        if (args.count() > 4)
        {
            reply.error("ERR syntax error: SYNC replid offset [port]");
            return;
        }
        final AsciiNumbers numbers = context.numbers();
        if (!numbers.parseLong(args, 2) || numbers.value() < -1)
        {
            reply.error("ERR invalid replication offset: " + args.asString(2));
            return;
        }
        final long offset = numbers.value();
        int port = 0;
        if (args.count() == 4)
        {
            if (!numbers.parseLong(args, 3) || numbers.value() < 0 || numbers.value() > 65535)
            {
                reply.error("ERR invalid port: " + args.asString(3));
                return;
            }
            port = (int)numbers.value();
        }
        node.sync(context, args.asString(1), offset, port, reply);
    }
}
