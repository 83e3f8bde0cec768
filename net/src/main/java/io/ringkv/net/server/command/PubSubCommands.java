package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandTable;

import java.util.List;

/**
 * PUBSUB CHANNELS, NUMSUB, NUMPAT, SHARDCHANNELS, SHARDNUMSUB and HELP, with Redis 7.0's replies: the container
 * and its help; the registries they read are core's {@link io.ringkv.core.command.PubSub}.
 */
public final class PubSubCommands
{
    static final List<String> HELP = List.of(
        "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: '*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        "HELP",
        "    Prints this help.");

    private PubSubCommands()
    {
    }

    /**
     * @param table to register PUBSUB in.
     */
    public static void register(final CommandTable table)
    {
        table.register("pubsub", -2, 0, new Subcommands("pubsub")
            .add("channels", -2, 0, (context, args, reply) -> context.pubSub().channels(context, args, reply, false))
            .add("numsub", -2, 0, (context, args, reply) -> context.pubSub().numsub(context, args, reply, false))
            .add("numpat", 2, 0, (context, args, reply) -> context.pubSub().numpat(context, args, reply))
            .add("shardchannels", -2, 0,
                (context, args, reply) -> context.pubSub().channels(context, args, reply, true))
            .add("shardnumsub", -2, 0,
                (context, args, reply) -> context.pubSub().numsub(context, args, reply, true))
            .add("help", 2, 0, (context, args, reply) -> ConfigCommands.help(reply, HELP)));
    }
}
