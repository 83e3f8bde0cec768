package io.ringkv.core.command;

import io.ringkv.core.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DispatchTest
{
    @AutoClose
    private final EngineHarness kv = new EngineHarness();

    @Test
    void unknownCommandTextIsRedis7s()
    {
        assertEquals("-ERR unknown command 'foo', with args beginning with: 'a' 'b' ", kv.exec("foo", "a", "b"));
        assertEquals("-ERR unknown command 'FOO', with args beginning with: ", kv.exec("FOO"));
        assertEquals("-ERR unknown command 'x  y', with args beginning with: 'a b' ", kv.exec("x\r\ny", "a\nb"));
        final String longArg = "z".repeat(200);
        final String reply = kv.exec("nope", longArg, "more");
        assertEquals("-ERR unknown command 'nope', with args beginning with: '" + "z".repeat(128) + "' ", reply);
    }

    @Test
    void namesAreCaseInsensitive()
    {
        assertEquals("+OK", kv.exec("sEt", "k", "v"));
        assertEquals("$v", kv.exec("GeT", "k"));
        assertEquals("+PONG", kv.exec("ping"));
        assertEquals("$hi", kv.exec("PING", "hi"));
        assertEquals("-ERR wrong number of arguments for 'ping' command", kv.exec("PING", "a", "b"));
        assertEquals("$echo me", kv.exec("ECHO", "echo me"));
        assertEquals("-ERR wrong number of arguments for 'echo' command", kv.exec("ECHO"));
    }

    @Test
    void unauthenticatedSessionGetsNoauthAfterNameAndArityChecks()
    {
        kv.session.authenticated(false);
        assertEquals("-NOAUTH Authentication required.", kv.exec("GET", "k"));
        assertEquals("-NOAUTH Authentication required.", kv.exec("PING"));
        assertEquals("-ERR unknown command 'foo', with args beginning with: ", kv.exec("foo"));
        assertEquals("-ERR wrong number of arguments for 'get' command", kv.exec("GET"));
        kv.commands.register("auth", -2, Command.NO_AUTH | Command.FAST, (context, args, reply) ->
        {
            context.session().authenticated(true);
            reply.ok();
        });
        assertEquals("+OK", kv.exec("AUTH", "secret"));
        assertEquals("(nil)", kv.exec("GET", "k"));
    }

    @Test
    void otherModulesRegisterCommandsWhileTheEngineRuns()
    {
        assertEquals("-ERR unknown command 'HELLO', with args beginning with: '3' ", kv.exec("HELLO", "3"));
        kv.commands.register("hello", -1, Command.NO_AUTH | Command.FAST,
            (context, args, reply) -> reply.simpleString("HI".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("+HI", kv.exec("hello", "3"));
        // Re-registering replaces.
        kv.commands.register("hello", -1, Command.FAST, (context, args, reply) -> reply.integer(3));
        assertEquals(":3", kv.exec("HELLO"));
    }

    @Test
    void overMemoryBudgetDeniesGrowingWritesOnly()
    {
        try (EngineHarness small = new EngineHarness(new StoreConfig().maxMemoryBytes(4 * 1024 * 1024), false,
            List.of()))
        {
            final String value = "x".repeat(1000);
            int written = 0;
            String last = "+OK";
            while (last.equals("+OK") && written < 100_000)
            {
                last = small.exec("SET", "key:" + written, value);
                written++;
            }
            final String oom = "-OOM command not allowed when used memory > 'maxmemory'.";
            assertEquals(oom, last);
            assertTrue(written > 100, "wrote " + written);
            // Once a write was refused, every denyoom command is refused, as Redis refuses them all while over its
            // budget: small in-place edits too, which need no new memory.
            assertEquals(oom, small.exec("SETRANGE", "key:0", "0", "y"));
            assertEquals(oom, small.exec("APPEND", "key:0", "y"));
            assertEquals(oom, small.exec("SET", "key:0", "small"));
            assertEquals(oom, small.exec("SETNX", "newkey", "1"));
            assertEquals("$" + value, small.exec("GET", "key:0"));
            final String big = "y".repeat(2_000_000);
            assertEquals(oom, small.exec("SET", "another", big));
            assertEquals(oom, small.exec("APPEND", "key:0", big));
            assertEquals(oom, small.exec("SETRANGE", "key:0", "3000000", "x"));
            assertEquals(oom, small.exec("COPY", "key:0", "copy"));
            assertEquals(oom, small.exec("MSET", "a", big));
            assertEquals(oom, small.exec("GETSET", "key:0", big));
            assertEquals(":1000", small.exec("STRLEN", "key:0"));
            assertEquals(":0", small.exec("EXISTS", "a", "copy"));
            // Reads, deletes and TTL changes keep working.
            assertEquals("$" + value, small.exec("GET", "key:0"));
            assertEquals(":1", small.exec("EXPIRE", "key:1", "100"));
            assertEquals("+OK", small.exec("RENAME", "key:2", "renamed"));
            // Deletes make room: the pages they empty go back (the EXPIRE above may have taken the keyspace just
            // over its budget with an expiry index chunk), writes are admitted again, and a freed block is reused.
            final String[] del = new String[201];
            del[0] = "DEL";
            for (int i = 0; i < 200; i++)
            {
                del[1 + i] = i == 2 ? "renamed" : "key:" + i;
            }
            assertEquals(":200", small.exec(del));
            assertEquals(":0", small.exec("EXISTS", "another"));
            assertEquals("+OK", small.exec("SET", "key:0", value));
            assertEquals(":1000", small.exec("SETRANGE", "key:0", "0", "z"));
            small.exec("FLUSHALL");
            // Freed blocks are reused (a new size class may still need a page the budget no longer allows).
            assertEquals("+OK", small.exec("SET", "another", value));
        }
    }

    @Test
    void tableLooksUpWithoutRegardToCase()
    {
        final CommandTable table = CoreCommands.newTable();
        final Command get = table.lookup("get");
        assertNotNull(get);
        assertEquals("get", get.name());
        assertEquals(2, get.arity());
        assertTrue(get.hasFlag(Command.READONLY));
        final UnsafeBuffer buffer = new UnsafeBuffer("xxGETxx".getBytes(StandardCharsets.US_ASCII));
        assertSame(get, table.lookup(buffer, 2, 3));
        assertNull(table.lookup(buffer, 2, 4));
        assertNull(table.lookup(buffer, 0, 0));
        assertSame(table.lookup("INCRBYFLOAT"), table.lookup("incrbyfloat"));
        assertTrue(table.commands().size() >= 45);
        for (final Command command : table.commands())
        {
            assertSame(command, table.lookup(command.name().toUpperCase()));
        }
    }
}
