package io.ringkv.core.command;

import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The slow log through a real engine: what is logged, Redis's argument trimming, and the length limit.
 */
class SlowLogTest
{
    @AutoClose
    private final EngineHarness engine = new EngineHarness();
    private CommandContext context;

    /** The engine's context, caught by a command (the engine is idle between requests, so reading it is safe). */
    private CommandContext context()
    {
        if (null == context)
        {
            engine.commands.register("catch-context", 1, 0, (ctx, args, reply) ->
            {
                context = ctx;
                reply.ok();
            });
            engine.exec("catch-context");
        }
        return context;
    }

    private List<String> newestArguments()
    {
        final List<String> arguments = new ArrayList<>();
        for (final byte[] argument : context().slowLog().newest(1).get(0).arguments())
        {
            arguments.add(new String(argument, StandardCharsets.ISO_8859_1));
        }
        return arguments;
    }

    @Test
    void argumentsAreTrimmedAsRedisTrimsThem()
    {
        context().slowlogSlowerThanUs(0);
        engine.exec("SET", "k", "x".repeat(128));
        assertEquals(List.of("SET", "k", "x".repeat(128)), newestArguments(), "128 bytes are kept whole");
        engine.exec("SET", "k", "y".repeat(300));
        assertEquals("y".repeat(128) + "... (172 more bytes)", newestArguments().get(2));

        final String[] thirtyTwo = new String[32];
        thirtyTwo[0] = "DEL";
        for (int i = 1; i < 32; i++)
        {
            thirtyTwo[i] = "k" + i;
        }
        engine.exec(thirtyTwo);
        assertEquals(List.of(thirtyTwo), newestArguments(), "32 arguments are kept whole");
        final String[] forty = new String[40];
        forty[0] = "DEL";
        for (int i = 1; i < 40; i++)
        {
            forty[i] = "k" + i;
        }
        engine.exec(forty);
        final List<String> kept = newestArguments();
        assertEquals(32, kept.size());
        assertEquals("k30", kept.get(30));
        assertEquals("... (9 more arguments)", kept.get(31));
    }

    @Test
    void logsOnlyCallsAtTheThresholdAndKeepsTheNewestMaxLen()
    {
        final SlowLog log = context().slowLog();
        context().slowlogSlowerThanUs(-1);
        engine.exec("SET", "a", "1");
        assertEquals(0, log.length(), "-1: off");
        context().slowlogSlowerThanUs(60_000_000);
        engine.exec("SET", "a", "1");
        assertEquals(0, log.length(), "a SET does not take a minute");
        context().slowlogSlowerThanUs(0);
        log.maxLength(3);
        for (int i = 0; i < 5; i++)
        {
            engine.exec("SET", "key" + i, "v");
        }
        assertEquals(3, log.length());
        assertEquals("key4", newestArguments().get(1));
        assertEquals(4, log.newest(1).get(0).id(), "ids count every entry ever logged");
        log.reset();
        assertEquals(0, log.length());
    }
}
