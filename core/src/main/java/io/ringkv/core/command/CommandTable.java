package io.ringkv.core.command;

import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;

/**
 * Case-insensitive map from a command name to its {@link Command}, looked up from the name's bytes without
 * allocating: open addressing (linear probing) on a hash of the upper-cased bytes.
 * <p>
 * Any module registers its commands here (core registers the data commands with
 * {@link CoreCommands#registerAll(CommandTable)}; net adds HELLO, AUTH, CLIENT...). Registration copies the
 * slot array and publishes it through a volatile field, so it is safe from any thread, even while the engine
 * thread looks names up; lookups are wait-free. Registering a name twice replaces the earlier command.
 */
public final class CommandTable
{
    private static final int MIN_CAPACITY = 64;

    private volatile Command[] slots = new Command[MIN_CAPACITY];
    private final List<Command> commands = new ArrayList<>();

    /**
     * Register (or replace) a command.
     *
     * @param name    the command name, any case.
     * @param arity   Redis arity: N = exactly N arguments including the name, -N = at least N.
     * @param flags   {@link Command} flag bits (WRITE, READONLY, FAST, ADMIN, NO_AUTH, DENY_OOM...).
     * @param handler executes it on the engine thread.
     * @return the registered command.
     */
    public Command register(final String name, final int arity, final int flags, final CommandHandler handler)
    {
        return register(new Command(name, arity, flags, handler));
    }

    /**
     * Register (or replace) a command.
     *
     * @param command to register.
     * @return the command.
     */
    public synchronized Command register(final Command command)
    {
        commands.removeIf(c -> c.name().equals(command.name()));
        commands.add(command);
        int capacity = MIN_CAPACITY;
        while (capacity < commands.size() * 4)
        {
            capacity <<= 1;
        }
        final Command[] newSlots = new Command[capacity];
        final int mask = capacity - 1;
        for (final Command c : commands)
        {
            final byte[] upper = c.upperName();
            int slot = hashUpper(upper) & mask;
            while (newSlots[slot] != null)
            {
                slot = (slot + 1) & mask;
            }
            newSlots[slot] = c;
        }
        slots = newSlots;
        return command;
    }

    /**
     * Find a command by the bytes of its name, ignoring ASCII case. Allocates nothing.
     *
     * @param buffer holding the name.
     * @param offset of the name's first byte.
     * @param length of the name.
     * @return the command, or null when none has that name.
     */
    public Command lookup(final DirectBuffer buffer, final int offset, final int length)
    {
        final Command[] slots = this.slots;
        final int mask = slots.length - 1;
        int hash = FNV_OFFSET_BASIS;
        for (int i = 0; i < length; i++)
        {
            hash = (hash ^ upper(buffer.getByte(offset + i))) * FNV_PRIME;
        }
        int slot = hash & mask;
        Command candidate;
        while ((candidate = slots[slot]) != null)
        {
            if (nameEquals(candidate.upperName(), buffer, offset, length))
            {
                return candidate;
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    /**
     * @param name command name, any case.
     * @return the command or null.
     */
    public Command lookup(final String name)
    {
        final org.agrona.concurrent.UnsafeBuffer buffer =
            new org.agrona.concurrent.UnsafeBuffer(name.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        return lookup(buffer, 0, buffer.capacity());
    }

    /**
     * @return a snapshot of every registered command (for COMMAND, COMMAND COUNT...). Allocates.
     */
    public synchronized List<Command> commands()
    {
        return new ArrayList<>(commands);
    }

    private static final int FNV_OFFSET_BASIS = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;

    private static int hashUpper(final byte[] upper)
    {
        int hash = FNV_OFFSET_BASIS;
        for (final byte b : upper)
        {
            hash = (hash ^ b) * FNV_PRIME;
        }
        return hash;
    }

    private static int upper(final byte b)
    {
        return b >= 'a' && b <= 'z' ? b - 32 : b;
    }

    private static boolean nameEquals(final byte[] upper, final DirectBuffer buffer, final int offset, final int length)
    {
        if (upper.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (upper(buffer.getByte(offset + i)) != upper[i])
            {
                return false;
            }
        }
        return true;
    }
}
