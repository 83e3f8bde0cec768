package io.ringkv.core.command;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keyspace notifications of the list commands, with Redis 7.0's event names and order (t_list.c): one event per
 * command, the push before the pop for LMOVE, and "del" when a list is emptied; none for a command that changed
 * nothing.
 */
final class ListEventsTest
{
    private final EngineHarness kv = new EngineHarness();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void listen()
    {
        kv.commands.register("listen-events", 1, 0, (context, args, reply) ->
        {
            context.keyspaceEvents().mask(KeyspaceEvents.LIST | KeyspaceEvents.GENERIC | KeyspaceEvents.KEYEVENT);
            context.keyspaceEvents().sink((type, event, db, key, offset, length) ->
            {
                final byte[] bytes = new byte[length];
                key.getBytes(offset, bytes);
                events.add(event + " " + new String(bytes, StandardCharsets.ISO_8859_1));
            });
            reply.ok();
        });
        assertEquals("+OK", kv.exec("listen-events"));
    }

    @AfterEach
    void close()
    {
        kv.close();
    }

    @Test
    void eachCommandNotifiesAsRedis()
    {
        expect(List.of("rpush l"), "RPUSH", "l", "a", "b", "c", "d");
        expect(List.of("lpush l"), "LPUSH", "l", "z");
        expect(List.of("lpush l"), "LPUSHX", "l", "y");
        expect(List.of(), "RPUSHX", "missing", "y");
        expect(List.of("lpop l"), "LPOP", "l");
        expect(List.of(), "LPOP", "l", "0");
        expect(List.of("rpop l"), "RPOP", "l", "1");
        expect(List.of("lset l"), "LSET", "l", "0", "q");
        expect(List.of("linsert l"), "LINSERT", "l", "BEFORE", "q", "p");
        expect(List.of(), "LINSERT", "l", "BEFORE", "absent", "p");
        expect(List.of("lrem l"), "LREM", "l", "0", "p");
        expect(List.of(), "LREM", "l", "0", "absent");
        expect(List.of("ltrim l"), "LTRIM", "l", "0", "-1");
        expect(List.of("rpush m", "lpop l"), "LMOVE", "l", "m", "LEFT", "RIGHT");
        expect(List.of("lpush m", "rpop l"), "RPOPLPUSH", "l", "m");
        expect(List.of("rpop l", "del l"), "LMPOP", "1", "l", "RIGHT", "COUNT", "5");
        expect(List.of("lpush n", "rpop m"), "LMOVE", "m", "n", "RIGHT", "LEFT");
        expect(List.of("lpush n", "rpop m", "del m"), "LMOVE", "m", "n", "RIGHT", "LEFT");
        expect(List.of("lpush n", "lpop n"), "LMOVE", "n", "n", "LEFT", "LEFT");
        expect(List.of("ltrim n", "del n"), "LTRIM", "n", "5", "1");
        expect(List.of(), "LPOP", "n");
    }

    private void expect(final List<String> expected, final String... command)
    {
        events.clear();
        kv.exec(command);
        assertEquals(expected, List.copyOf(events), String.join(" ", command));
    }
}
