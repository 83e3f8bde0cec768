package io.ringkv.core.script.function;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import io.ringkv.core.command.RedisTranscriptClient;
import io.ringkv.core.testing.RedisServerProcess;
import org.junit.jupiter.api.Test;

/**
 * The "#!" line of a library against redis-server 7.0.15: every malformed first line gets Redis's error, and the
 * line is split as Redis splits it (quotes, escapes, case of "name=" and of the engine).
 */
class LibraryHeaderTest
{
    private static final String BODY = "\nredis.register_function('hf', function() return 1 end)";

    /** First lines Redis refuses before running any code. */
    private static final String[] REFUSED = {
        "", "x", "#", "#!", "#!lua", "#!lua name=a", "#!lua name=a name=b" + BODY, "#!lua foo=a" + BODY,
        "#!luax name=a" + BODY, "#!luax name=a-b" + BODY, "#!lua name=a-b" + BODY, "#!lua name=" + BODY,
        "#!lua name=\"ab" + BODY, "#!lua name=\"ab\"x" + BODY, "#!lua NAME=a NAME=b" + BODY,
        "#!lua name=a\u0000" + BODY, "#!lua\u0000 name=a" + BODY, " #!lua name=a" + BODY, "#!lua name=a b" + BODY,
        "#!lua 'name=a" + BODY, "#!lua name=\"my lib\"" + BODY, "#!lua name=\u00e9" + BODY, "#!lua\tname=a\tx" + BODY,
        "#!" + BODY, "#!  name=a" + BODY,
    };

    /** First lines Redis accepts, with the library name it takes from them. */
    private static final String[][] ACCEPTED = {
        {"#!lua name=a" + BODY, "a"}, {"#!LUA name=b" + BODY, "b"}, {"#!Lua NaMe=c" + BODY, "c"},
        {"#!lua \"name=d\"" + BODY, "d"}, {"#!lua name=\"e\"" + BODY, "e"}, {"#!lua   name=f  " + BODY, "f"},
        {"#!lua\tname=g\r" + BODY, "g"}, {"#!lua name=\"\\x68\"" + BODY, "h"}, {"#!lua 'name=i'" + BODY, "i"},
    };

    @Test
    void firstLinesAreJudgedAsRedisJudgesThem() throws IOException, InterruptedException
    {
        try (RedisServerProcess redis = RedisServerProcess.start();
            Socket socket = new Socket(InetAddress.getLoopbackAddress(), redis.port()))
        {
            final RedisTranscriptClient client = new RedisTranscriptClient(socket);
            final FunctionRegistry registry = new FunctionRegistry();
            registry.registerEngine(new LineEngine("LUA"));
            for (final String code : REFUSED)
            {
                final String theirs = client.send("FUNCTION", "LOAD", code);
                String ours;
                try
                {
                    ours = "$" + registry.load(code.getBytes(StandardCharsets.ISO_8859_1), false);
                }
                catch (final FunctionException ex)
                {
                    ours = "-" + ex.reply();
                }
                assertEquals(theirs, ours, code);
            }
            for (final String[] accepted : ACCEPTED)
            {
                assertEquals("+OK", client.send("FUNCTION", "FLUSH"));
                assertEquals("$" + accepted[1], client.send("FUNCTION", "LOAD", accepted[0]), accepted[0]);
                try
                {
                    final LibraryHeader header = LibraryHeader.parse(accepted[0].getBytes(StandardCharsets.ISO_8859_1));
                    assertEquals(accepted[1], header.name(), accepted[0]);
                    assertEquals("lua", header.engine().toLowerCase(java.util.Locale.ROOT), accepted[0]);
                    assertEquals(accepted[0].indexOf('\n'), header.bodyOffset(), accepted[0]);
                }
                catch (final FunctionException ex)
                {
                    throw new AssertionError(accepted[0] + ": " + ex.getMessage(), ex);
                }
            }
        }
    }
}
