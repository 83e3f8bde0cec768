package io.ringkv.core.engine;

import io.ringkv.core.command.BlockedClients;
import io.ringkv.core.command.ClientSession;
import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.EngineHarness;
import io.ringkv.core.command.TranscriptReply;
import io.ringkv.core.store.StoreConfig;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's side of blocking commands, on a real engine: a blocked request suspends its batch and the requests
 * after it (also those whose slots come in later chunks), a unit of work that may not block (EXEC, a script) wakes
 * nobody until it is done, ticks time clients out, and a released client leaves nothing behind in the registry.
 */
class BlockingEngineTest
{
    /** A second connection on the harness's engine. */
    private static final class Connection
    {
        final TranscriptReply reply = new TranscriptReply();
        final RequestBatch batch;
        final UnsafeBuffer args = new UnsafeBuffer(new byte[1 << 16]);

        Connection(final long id)
        {
            batch = new RequestBatch(new ClientSession(id, true), reply);
        }

        void publish(final Engine engine, final String[]... requests)
        {
            reply.clear();
            batch.reset(args);
            int position = 0;
            for (final String[] request : requests)
            {
                position = EngineHarness.addRequest(batch, args, position, RequestBatch.VALUE_RAW, request);
            }
            engine.publish(batch, null);
        }
    }

    private static void await(final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() < deadline, "condition never met");
            Thread.onSpinWait();
        }
    }

    /**
     * Registers test commands: BLOCKSTATE (the registry's counts) and UNIT, which runs its inner requests (separated
     * by "|") with {@link io.ringkv.core.command.CommandContext#mayNotBlock()} set, as EXEC will.
     */
    private static void registerTestCommands(final EngineHarness kv)
    {
        kv.commands.register("blockstate", 1, 0, (context, args, reply) ->
        {
            final BlockedClients blocked = context.blockedClients();
            reply.bulk(("clients=" + blocked.blockedClients() + " keys=" + blocked.blockingKeys() +
                " timeouts=" + blocked.clientsWithTimeout()).getBytes());
        });
        kv.commands.register("unit", -2, 0, (context, args, reply) ->
        {
            final RequestBatch inner = new RequestBatch(context.session(), reply);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[4096]);
            inner.reset(buffer);
            int position = 0;
            int start = 1;
            for (int i = 1; i <= args.count(); i++)
            {
                if (i == args.count() || "|".equals(args.asString(i)))
                {
                    final String[] words = new String[i - start];
                    for (int w = start; w < i; w++)
                    {
                        words[w - start] = args.asString(w);
                    }
                    position = EngineHarness.addRequest(inner, buffer, position, RequestBatch.VALUE_RAW, words);
                    start = i + 1;
                }
            }
            reply.arrayHeader(inner.requestCount());
            final CommandArgs innerArgs = new CommandArgs();
            context.mayNotBlock(true);
            try
            {
                for (int r = 0; r < inner.requestCount(); r++)
                {
                    innerArgs.wrap(inner, r);
                    context.commands().lookup(innerArgs.asString(0)).handler().execute(context, innerArgs, reply);
                }
            }
            finally
            {
                context.mayNotBlock(false);
            }
        });
    }

    @Test
    void aKeyPushedAndPoppedInsideOneUnitWakesNobodyAndAPushServesAfterTheUnit()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            registerTestCommands(kv);
            final Connection waiter = new Connection(2);
            waiter.publish(kv.engine, new String[] {"BLPOP", "q", "0"}, new String[] {"PING"});
            await(waiter.batch::blocked);
            assertEquals("[:1, $x]", kv.exec("UNIT", "LPUSH", "q", "x", "|", "LPOP", "q"));
            assertEquals("$clients=1 keys=1 timeouts=0", kv.exec("BLOCKSTATE"));
            assertFalse(waiter.batch.isComplete());
            // Inside the unit a blocking command does not block: it answers as on a timeout.
            assertEquals("[:1, *(nil), :1]", kv.exec("UNIT", "RPUSH", "other", "a", "|", "BLPOP", "none", "0", "|",
                "LLEN", "other"));
            // Pushed in the unit and left there: the waiter is served once the unit is done, with what the unit left.
            assertEquals("[:1, :2]", kv.exec("UNIT", "RPUSH", "q", "first", "|", "RPUSH", "q", "second"));
            await(waiter.batch::isComplete);
            assertEquals(List.of("[$q, $first]", "+PONG"), waiter.reply.replies());
            assertEquals("[$second]", kv.exec("LRANGE", "q", "0", "-1"));
            assertEquals("$clients=0 keys=0 timeouts=0", kv.exec("BLOCKSTATE"));
        }
    }

    @Test
    void requestsInLaterChunksOfASuspendedBatchWaitBehindTheBlockedOne()
    {
        try (EngineHarness kv = new EngineHarness(new StoreConfig(), false, List.of(), config -> config.maxClaim(2)))
        {
            registerTestCommands(kv);
            final Connection waiter = new Connection(2);
            waiter.publish(kv.engine, new String[] {"RPUSH", "r", "1"}, new String[] {"BLPOP", "q", "0"},
                new String[] {"RPUSH", "r", "2"}, new String[] {"LLEN", "r"}, new String[] {"BRPOP", "q", "0"},
                new String[] {"LLEN", "r"}, new String[] {"PING"});
            await(waiter.batch::blocked);
            assertEquals(":1", kv.exec("LLEN", "r"), "nothing after the blocked request ran");
            kv.exec("RPUSH", "q", "a");
            // Blocked again on the second pop of the batch, after the two requests between them ran.
            await(() -> waiter.reply.replies().size() == 4 && waiter.batch.blocked());
            assertEquals(":2", kv.exec("LLEN", "r"));
            kv.exec("RPUSH", "q", "b");
            await(waiter.batch::isComplete);
            assertEquals(List.of(":1", "[$q, $a]", ":2", ":2", "[$q, $b]", ":2", "+PONG"), waiter.reply.replies());
        }
    }

    @Test
    void aTickTimesClientsOutAndAReleaseForgetsThem()
    {
        try (EngineHarness kv = new EngineHarness())
        {
            registerTestCommands(kv);
            final Connection timing = new Connection(2);
            timing.publish(kv.engine, new String[] {"BRPOP", "a", "b", "c", "1.5"}, new String[] {"PING"});
            await(timing.batch::blocked);
            final Connection leaving = new Connection(3);
            leaving.publish(kv.engine, new String[] {"BLPOP", "b", "d", "d", "0"}, new String[] {"RPUSH", "x", "1"});
            await(leaving.batch::blocked);
            assertEquals("$clients=2 keys=4 timeouts=1", kv.exec("BLOCKSTATE"));
            kv.advanceMs(1_499);
            kv.engine.tick();
            assertEquals("$clients=2 keys=4 timeouts=1", kv.exec("BLOCKSTATE"));
            kv.advanceMs(1);
            kv.engine.tick();
            await(timing.batch::isComplete);
            assertEquals(List.of("*(nil)", "+PONG"), timing.reply.replies());
            assertEquals("$clients=1 keys=2 timeouts=0", kv.exec("BLOCKSTATE"));
            kv.engine.releaseBlocked(leaving.batch);
            await(leaving.batch::isComplete);
            assertEquals("$clients=0 keys=0 timeouts=0", kv.exec("BLOCKSTATE"));
            assertEquals(":0", kv.exec("EXISTS", "x"), "nothing after a released request runs");
            kv.exec("RPUSH", "b", "kept");
            assertEquals("[$kept]", kv.exec("LRANGE", "b", "0", "-1"));
            // A release of a batch that is not blocked does nothing.
            kv.engine.releaseBlocked(leaving.batch);
            assertEquals("$clients=0 keys=0 timeouts=0", kv.exec("BLOCKSTATE"));
        }
    }
}
