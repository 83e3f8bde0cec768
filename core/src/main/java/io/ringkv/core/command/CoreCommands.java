package io.ringkv.core.command;

/**
 * Registers every command core implements: strings, counters, generic keys, expiry, databases, PING/ECHO,
 * DUMP/RESTORE.
 */
public final class CoreCommands
{
    private CoreCommands()
    {
    }

    /**
     * @param table to register into.
     * @return the table, for chaining.
     */
    public static CommandTable registerAll(final CommandTable table)
    {
        StringCommands.register(table);
        CounterCommands.register(table);
        KeyspaceCommands.register(table);
        ExpireCommands.register(table);
        DatabaseCommands.register(table);
        ConnectionCommands.register(table);
        DumpCommands.register(table);
        HashCommands.register(table);
        SetCommands.register(table);
        BlockingListCommands.register(table, ListCommands.register(table));
        BlockingZSetCommands.register(table, ZSetCommands.register(table));
        PubSub.register(table);
        TransactionCommands.register(table);
        return table;
    }

    /**
     * @return a new table holding every core command.
     */
    public static CommandTable newTable()
    {
        return registerAll(new CommandTable());
    }
}
