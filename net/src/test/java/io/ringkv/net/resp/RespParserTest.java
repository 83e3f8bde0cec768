package io.ringkv.net.resp;

import io.ringkv.core.command.ClientSession;
import io.ringkv.core.engine.RequestBatch;
import io.ringkv.net.codec.ParseLoop;
import io.ringkv.net.codec.ReplyBuffer;
import io.ringkv.net.codec.RequestParser;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RespParserTest
{
    private static ParseLoop loop()
    {
        return loop(new RespParser(), 64, 1 << 30, true);
    }

    private static ParseLoop loop(final RespParser parser, final int initial, final int max, final boolean auth)
    {
        final ClientSession session = new ClientSession(1, auth);
        return new ParseLoop(parser, initial, max, auth, new RespReply(session, new ReplyBuffer(64)));
    }

    private static String mb(final String... args)
    {
        final StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
        for (final String arg : args)
        {
            sb.append('$').append(arg.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(arg)
                .append("\r\n");
        }
        return sb.toString();
    }

    private static byte[] bytes(final String s)
    {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesOneMultibulkRequest()
    {
        final ParseLoop loop = loop().feed(mb("SET", "k", "v"));
        assertEquals(List.of(List.of("SET", "k", "v")), loop.requests);
        assertEquals((Byte)RequestBatch.VALUE_RAW, loop.valueKinds.get(0));
        assertFalse(loop.closed);
        assertEquals(0, loop.readBuffer.limit());
    }

    @Test
    void bulkDataMayHoldCrLfAndAnyByte()
    {
        final String binary = "a\r\nb\u0000\u00ff\r";
        final ParseLoop loop = loop().feed(mb("SET", "k", binary) + mb("GET", ""));
        assertEquals(List.of(List.of("SET", "k", binary), List.of("GET", "")), loop.requests);
    }

    @Test
    void batchRequestLimitSlicesAPipelineWithoutLosingARequest()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            sb.append(i % 2 == 0 ? mb("GET", "key:" + i) : "GET key:" + i + "\r\n");
        }
        final RespParser parser = new RespParser();
        parser.batchRequestLimit(4);
        final ParseLoop loop = loop(parser, 4096, 1 << 20, true).feed(sb.toString());
        assertEquals(List.of(4, 4, 2), loop.batchSizes);
        for (int i = 0; i < 10; i++)
        {
            assertEquals(List.of("GET", "key:" + i), loop.requests.get(i));
        }
    }

    @Test
    void aBatchEndsAtQuitSoNothingBehindItRunsWithIt()
    {
        final ParseLoop loop = loop(new RespParser(), 4096, 1 << 20, true)
            .feed("PING\r\nquit\r\n" + mb("SET", "k", "v") + mb("QUIT") + "GET k\r\n");
        assertEquals(List.of(2, 2, 1), loop.batchSizes);
        assertEquals(List.of("quit"), loop.requests.get(1));
        assertEquals(List.of("QUIT"), loop.requests.get(3));
    }

    @Test
    void everyCompleteRequestOfOneReadIsOneBatch()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 16; i++)
        {
            sb.append(mb("GET", "key:" + i));
        }
        final ParseLoop loop = loop(new RespParser(), 4096, 1 << 20, true).feed(sb.toString());
        assertEquals(List.of(16), loop.batchSizes);
        assertEquals(List.of("GET", "key:15"), loop.requests.get(15));
    }

    @Test
    void pipelineOfThousandsAcrossManyReads()
    {
        final StringBuilder sb = new StringBuilder();
        final List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < 5000; i++)
        {
            if (i % 3 == 0)
            {
                sb.append("SET k").append(i).append(" v").append(i).append("\r\n");
                expected.add(List.of("SET", "k" + i, "v" + i));
            }
            else
            {
                sb.append(mb("INCR", "counter:" + i));
                expected.add(List.of("INCR", "counter:" + i));
            }
        }
        final ParseLoop loop = loop(new RespParser(), 1024, 1 << 20, true).feed(sb.toString());
        assertEquals(expected, loop.requests);
        assertTrue(loop.batchSizes.size() > 10, "1 KB reads make many batches");
        assertTrue(loop.batchSizes.stream().anyMatch(n -> n > 10), "each batch holds every complete request");
        assertEquals(1024, loop.readBuffer.capacity(), "small requests never grow the buffer");
    }

    @Test
    void splitAtEveryBytePositionGivesTheSameRequests()
    {
        final String input = mb("SET", "key", "va\r\nlue") + "*0\r\n" + "*-1\r\n" + "PING\r\n" +
            "set  \"a\\x41 b\" 'c\\'d'\n" + mb("MSET", "a", "1", "b", "2") + "\r\n" + mb("ECHO", "") + "  \n";
        final List<List<String>> expected = List.of(
            List.of("SET", "key", "va\r\nlue"), List.of("PING"), List.of("set", "aA b", "c'd"),
            List.of("MSET", "a", "1", "b", "2"), List.of("ECHO", ""));
        final byte[] all = bytes(input);
        for (int split = 0; split <= all.length; split++)
        {
            final ParseLoop loop = loop(new RespParser(), 256, 1 << 20, true);
            loop.feed(java.util.Arrays.copyOfRange(all, 0, split));
            loop.feed(java.util.Arrays.copyOfRange(all, split, all.length));
            assertEquals(expected, loop.requests, "split at " + split);
            assertEquals(0, loop.readBuffer.limit(), "split at " + split);
        }
        final ParseLoop byteByByte = loop(new RespParser(), 16, 1 << 20, true);
        for (final byte b : all)
        {
            byteByByte.feed(new byte[]{b});
        }
        assertEquals(expected, byteByByte.requests);
    }

    @Test
    void largeMultibulkArrivingInPiecesKeepsItsParsedArguments()
    {
        final String[] args = new String[2001];
        args[0] = "MSET";
        for (int i = 1; i < args.length; i++)
        {
            args[i] = "x" + i;
        }
        final byte[] all = bytes(mb(args));
        final ParseLoop loop = loop(new RespParser(), 64, 1 << 20, true);
        for (int i = 0; i < all.length; i += 7)
        {
            loop.feed(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + 7)));
        }
        assertEquals(1, loop.requests.size());
        assertEquals(List.of(args), loop.requests.get(0));
    }

    @Test
    void emptyAndNegativeMultibulkCountsAreSkipped()
    {
        final ParseLoop loop = loop().feed("*0\r\n*-1\r\n*-10\r\n\r\n" + mb("PING"));
        assertEquals(List.of(List.of("PING")), loop.requests);
        assertFalse(loop.closed);
    }

    @Test
    void inlineCommandsFollowRedisQuotingRules()
    {
        final ParseLoop loop = loop().feed(
            "SET k \"a\\tb\\nc\\r\\\\\\\"\\b\\a\\q\"\r\n" +
            "ECHO \"\\x4a\\x4B\\xZZ\"\n" +
            "ECHO 'it\\'s \\n raw'\n" +
            "ECHO \"\" ''\n" +
            "   \t \r\n" +
            "\n" +
            "ECHO a\u0000ignored\n" +
            "ECHO a\"b c\"\n");
        assertEquals(List.of(
            List.of("SET", "k", "a\tb\nc\r\\\"\b\u0007q"),
            List.of("ECHO", "JKxZZ"),
            List.of("ECHO", "it's \\n raw"),
            List.of("ECHO", "", ""),
            List.of("ECHO", "a"),
            List.of("ECHO", "ab c")), loop.requests);
    }

    @Test
    void unbalancedQuotesCloseAfterTheRequestsBefore()
    {
        for (final String bad : new String[]{"ECHO \"abc\n", "ECHO 'abc\n", "ECHO \"a\"b\n", "ECHO 'a'b\n",
            "ECHO \"a\\\"\n"})
        {
            final ParseLoop loop = loop().feed("PING\n" + bad + "PING\n");
            assertEquals(List.of(List.of("PING")), loop.requests, bad);
            assertEquals(List.of(RespParser.UNBALANCED_QUOTES), loop.errors, bad);
            assertEquals("ERR Protocol error: unbalanced quotes in request", loop.closeReason);
        }
    }

    @Test
    void protocolErrorsHaveRedisTexts()
    {
        assertError("*abc\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*+1\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*01\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*3000000000\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*99999999999999999999999\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", "ERR Protocol error: expected '$', got 'f'");
        assertError("*1\r\n:1\r\n", "ERR Protocol error: expected '$', got ':'");
        assertError("*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$+4\r\nPING\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$-0\r\n\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$536870913\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1\r\n$4\r\nPINGXX", "ERR Protocol error: expected CRLF after bulk data");
        assertError("*1\rX$4\r\nPING\r\n", "ERR Protocol error: invalid multibulk length");
        assertError("*1\r\n$4\rXPING\r\n", "ERR Protocol error: invalid bulk length");
        assertError("*1" + "1".repeat(70_000), "ERR Protocol error: too big mbulk count string");
        assertError("*1\r\n$1" + "1".repeat(70_000), "ERR Protocol error: too big bulk count string");
        assertError("GET " + "k".repeat(70_000), "ERR Protocol error: too big inline request");
    }

    @Test
    void protoMaxBulkLenIsConfigurable()
    {
        final ParseLoop loop = loop(new RespParser(10), 64, 1 << 20, true);
        loop.feed(mb("SET", "k", "0123456789") + mb("SET", "k", "0123456789A"));
        assertEquals(1, loop.requests.size());
        assertEquals("ERR Protocol error: invalid bulk length", loop.closeReason);
    }

    @Test
    void longInlineLineWithItsNewlineIsAccepted()
    {
        final String value = "v".repeat(100_000);
        final ParseLoop loop = loop(new RespParser(), 1 << 18, 1 << 20, true).feed("SET k " + value + "\r\n");
        assertEquals(List.of(List.of("SET", "k", value)), loop.requests);
    }

    @Test
    void unauthenticatedClientsGetRedisLimits()
    {
        final ParseLoop tooMany = loop(new RespParser(), 64, 1 << 20, false).feed("*11\r\n");
        assertEquals("ERR Protocol error: unauthenticated multibulk length", tooMany.closeReason);

        final ParseLoop tooLong = loop(new RespParser(), 64, 1 << 20, false).feed("*1\r\n$16385\r\n");
        assertEquals("ERR Protocol error: unauthenticated bulk length", tooLong.closeReason);

        final ParseLoop atLimit = loop(new RespParser(), 64, 1 << 20, false)
            .feed(mb("SET", "k", "v".repeat(16384)) + mb("A", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
        assertEquals(2, atLimit.requests.size());
        assertFalse(atLimit.closed);
    }

    @Test
    void requestAfterAuthInTheSameReadIsJudgedAuthenticated()
    {
        final ParseLoop loop = loop(new RespParser(), 1 << 16, 1 << 20, false);
        loop.onBatch = batch ->
        {
            if (batch.argLength(batch.firstArg(0)) == 4)
            {
                batch.session().authenticated(true);
            }
        };
        final String big = "x".repeat(20_000);
        loop.feed(mb("AUTH", "pw") + mb("SET", "k", big));
        assertFalse(loop.closed, String.valueOf(loop.closeReason));
        assertEquals(List.of(List.of("AUTH", "pw"), List.of("SET", "k", big)), loop.requests);
        assertEquals(List.of(1, 1), loop.batchSizes);

        final ParseLoop noAuth = loop(new RespParser(), 1 << 16, 1 << 20, false);
        noAuth.feed(mb("PING") + mb("SET", "k", big));
        assertEquals(List.of(List.of("PING")), noAuth.requests);
        assertEquals("ERR Protocol error: unauthenticated bulk length", noAuth.closeReason);
    }

    @Test
    void announcedHugeBulkAllocatesNothingBeforeItsBytesArrive()
    {
        final RespParser parser = new RespParser();
        final ParseLoop loop = loop(parser, 1024, 1 << 30, true);
        final String header = "*1\r\n$536870912\r\n";
        loop.feed(header + "0123456789");
        assertTrue(loop.requests.isEmpty());
        assertFalse(loop.closed);
        assertEquals(1024, loop.readBuffer.capacity());
        assertEquals(header.length() + 536870912L + 2, parser.requiredLength());
    }

    @Test
    void bigBulkGrowsTheBufferGeometricallyToItsExactSize()
    {
        final int size = 3_000_000;
        final byte[] value = new byte[size];
        new Random(7).nextBytes(value);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + size + "\r\n"));
        out.writeBytes(value);
        out.writeBytes(bytes("\r\n"));
        final byte[] all = out.toByteArray();
        final int headerLength = all.length - size - 2;

        final ParseLoop loop = loop(new RespParser(), 4096, 1 << 30, true);
        for (int i = 0; i < all.length; i += 65536)
        {
            loop.feed(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + 65536)));
        }
        assertEquals(1, loop.requests.size());
        assertEquals(new String(value, StandardCharsets.ISO_8859_1), loop.requests.get(0).get(2));
        assertEquals(all.length, loop.maxCapacitySeen, "grows to exactly the request, never beyond");
        assertTrue(headerLength > 0);
        assertTrue(loop.readBuffer.shrinkIfEmpty());
        assertEquals(4096, loop.readBuffer.capacity());
    }

    @Test
    void requestBeyondTheQueryBufferLimitClosesTheConnection()
    {
        final ParseLoop announced = loop(new RespParser(), 1024, 64 * 1024, true).feed("*1\r\n$100000\r\nabc");
        assertEquals("query buffer limit", announced.closeReason);

        final ParseLoop manyArgs = loop(new RespParser(), 1024, 64 * 1024, true);
        final StringBuilder sb = new StringBuilder("*100000\r\n");
        for (int i = 0; i < 20000; i++)
        {
            sb.append("$1\r\nx\r\n");
        }
        manyArgs.feed(sb.toString());
        assertEquals("query buffer limit", manyArgs.closeReason);
        assertTrue(manyArgs.maxCapacitySeen <= 64 * 1024);
    }

    @Test
    void randomGarbageNeverThrowsAndEndsInAnErrorOrWaits()
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        for (int round = 0; round < 3000; round++)
        {
            final byte[] garbage = new byte[random.nextInt(200)];
            random.nextBytes(garbage);
            if (round % 2 == 0 && garbage.length > 0)
            {
                garbage[0] = '*';
            }
            final ParseLoop loop = loop(new RespParser(), 64, 1 << 16, round % 3 != 0);
            try
            {
                for (int i = 0; i < garbage.length && !loop.closed; i += 13)
                {
                    loop.feed(java.util.Arrays.copyOfRange(garbage, i, Math.min(garbage.length, i + 13)));
                }
            }
            catch (final RuntimeException ex)
            {
                throw new AssertionError("seed " + seed + " round " + round, ex);
            }
            assertTrue(loop.readBuffer.limit() <= RespParser.INLINE_MAX_LENGTH + 64, "seed " + seed);
        }
    }

    @Test
    void resetForgetsAPendingRequest()
    {
        final RespParser parser = new RespParser();
        final ParseLoop loop = loop(parser, 64, 1 << 20, true);
        loop.feed("*2\r\n$3\r\nGET\r\n");
        parser.reset();
        loop.readBuffer.compact(loop.readBuffer.limit());
        loop.feed(mb("PING"));
        assertEquals(List.of(List.of("PING")), loop.requests);
    }

    @Test
    void consumedPointsAtThePendingRequest()
    {
        final RespParser parser = new RespParser();
        final ParseLoop loop = loop(parser, 256, 1 << 20, true);
        final String first = mb("PING");
        loop.readBuffer.append(bytes(first + "*1\r\n$4\r\nPI"), 0, first.length() + 10);
        final int status = parser.parse(loop.readBuffer.buffer(), 0, loop.readBuffer.limit(), loop.batch);
        assertEquals(RequestParser.OK, status);
        assertEquals(1, loop.batch.requestCount());
        assertEquals(first.length(), parser.consumed());
        assertEquals(8 + 4 + 2, parser.requiredLength(), "header + data + CRLF");
    }

    private static void assertError(final String input, final String text)
    {
        final ParseLoop loop = loop(new RespParser(), 64, 1 << 20, true).feed(mb("PING") + input);
        assertEquals(List.of(List.of("PING")), loop.requests, input);
        assertTrue(loop.closed, input);
        assertEquals(text, loop.closeReason, input.length() > 80 ? input.substring(0, 80) : input);
    }
}
