package io.ringkv.core.command;

import io.ringkv.core.changelog.ChangeLog;
import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.Keyspace;
import org.agrona.DirectBuffer;

/**
 * HDEL and SREM: remove the members named from the third argument on, one at a time; log those that were there as one
 * command of the same name (what replicas run), delete the key with its last member (an empty collection never
 * exists), and notify. A member whose removal needs memory that is not there stops the command with Redis's OOM error,
 * the removals before it logged.
 */
final class MemberRemoval
{
    /**
     * A collection type's way to remove one member and count them.
     */
    interface Members
    {
        /**
         * @return the entry's address from now on when the member was removed, 0 when it was not there, or
         * {@link Keyspace#OUT_OF_MEMORY} (nothing changed).
         */
        long removeMember(Keyspace keyspace, int db, long address, EntryFlyweight entry, DirectBuffer member,
            int offset, int length);

        /**
         * @return how many members the entry holds.
         */
        long memberCount(Keyspace keyspace, EntryFlyweight entry);
    }

    private MemberRemoval()
    {
    }

    /**
     * @param address   the key's entry, {@link Keyspace#NOT_FOUND} when it has none (the reply is then 0).
     * @param logName   the command logged for the removals.
     * @param eventType the keyspace notification class of {@code event}.
     */
    static void removeMembers(final CommandContext context, final CommandArgs args, final Reply reply,
        final long address, final Members members, final byte[] logName, final int eventType, final String event)
    {
        if (address == Keyspace.NOT_FOUND)
        {
            reply.integer(0);
            return;
        }
        final Keyspace keyspace = context.keyspace();
        final int db = context.db();
        final EntryFlyweight entry = context.entry();
        final ChangeLog changeLog = context.changeLog();
        final DirectBuffer buffer = args.buffer();
        long current = address;
        long removed = 0;
        boolean emptied = false;
        for (int i = 2; i < args.count(); i++)
        {
            final long result = members.removeMember(keyspace, db, current, entry, buffer, args.offset(i),
                args.length(i));
            if (result == Keyspace.OUT_OF_MEMORY)
            {
                if (removed > 0)
                {
                    changeLog.endCommand();
                }
                reply.error(ErrorMessages.OOM);
                return;
            }
            if (result != 0)
            {
                current = result;
                if (removed++ == 0)
                {
                    changeLog.beginCommand(db, logName, buffer, args.offset(1), args.length(1));
                }
                changeLog.commandArg(buffer, args.offset(i), args.length(i));
                if (members.memberCount(keyspace, entry.wrap(current)) == 0)
                {
                    keyspace.delete(db, current);
                    emptied = true;
                    break;
                }
            }
        }
        if (removed > 0)
        {
            changeLog.endCommand();
            context.keyspaceEvents().notify(context, eventType, event, args, 1);
        }
        if (emptied)
        {
            context.keyspaceEvents().notify(context, KeyspaceEvents.GENERIC, "del", args, 1);
        }
        reply.integer(removed);
    }
}
