package io.ringkv.core.command;

import io.ringkv.core.engine.RequestBatch;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The blocking commands' timeout argument as Redis 7.0.15 reads it (seconds as a long double, times 1000, rounded
 * up): the allocation-free path for plain decimals agrees with the long double path, and hostile values get Redis's
 * texts (checked against redis-server in BlockingCommandsInteropTest).
 */
class BlockingTimeoutTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final RequestBatch batch = new RequestBatch(new ClientSession(1, true), new TranscriptReply());
    private final CommandArgs args = new CommandArgs();

    private String parse(final String timeout)
    {
        batch.reset(buffer);
        EngineHarness.addRequest(batch, buffer, 0, RequestBatch.VALUE_RAW, "BLPOP", timeout);
        final TranscriptReply reply = new TranscriptReply();
        reply.startRequest(0);
        final long ms = BlockingTimeout.parseMs(args.wrap(batch, 0), 1, reply);
        if (ms == BlockingTimeout.INVALID)
        {
            reply.endRequest(0);
            return reply.replies().get(0);
        }
        return Long.toString(ms);
    }

    @Test
    void secondsBecomeMillisecondsRoundedUp()
    {
        final String[][] cases = {
            {"0", "0"}, {"5", "5000"}, {"0.5", "500"}, {"0.0001", "1"}, {"0.001", "1"}, {"1e-3", "1"},
            {"1.0005", "1001"}, {"0x10", "16000"}, {"5.", "5000"}, {"-0.0001", "0"}, {"-0", "0"}, {"1e-400", "1"},
            {"0.25", "250"}, {"4.007", "4008"}, {"0.1", "100"}, {"0.125", "125"}, {"0.0625", "63"}, {"999999999999999", "999999999999999000"}, {"9223372036854775", "9223372036854775000"},
            {"-1", "-ERR timeout is negative"}, {"1e400", "-ERR timeout is negative"},
            {"inf", "-ERR timeout is negative"}, {"-inf", "-ERR timeout is negative"},
            {"9223372036854776", "-ERR timeout is negative"},
            {"nan", "-ERR timeout is not a float or out of range"}, {"abc", "-ERR timeout is not a float or out of range"},
            {"", "-ERR timeout is not a float or out of range"}, {" 1", "-ERR timeout is not a float or out of range"},
            {"1 ", "-ERR timeout is not a float or out of range"}, {".", "-ERR timeout is not a float or out of range"},
        };
        for (final String[] c : cases)
        {
            assertEquals(c[1], parse(c[0]), c[0]);
        }
    }

    @Test
    void plainDecimalsAgreeWithTheLongDoublePath()
    {
        final Random random = new Random(13);
        for (int i = 0; i < 20_000; i++)
        {
            final long whole = random.nextInt(4) == 0 ? random.nextInt(1_000_000) : random.nextInt(10);
            final String plain;
            if (random.nextBoolean())
            {
                // A binary fraction (m / 2^j, j decimal digits): the path that allocates nothing.
                final int j = 1 + random.nextInt(8);
                final BigDecimal fraction = BigDecimal.valueOf(random.nextInt(1 << j)).divide(BigDecimal.valueOf(1L << j));
                plain = fraction.signum() == 0 ? Long.toString(whole) :
                    whole + fraction.toPlainString().substring(1);
            }
            else
            {
                final StringBuilder fraction = new StringBuilder();
                for (int d = random.nextInt(8); d > 0; d--)
                {
                    fraction.append((char)('0' + random.nextInt(10)));
                }
                plain = fraction.isEmpty() ? Long.toString(whole) : whole + "." + fraction;
            }
            // The same number in exponent form takes the long double path.
            final String exponent = new BigDecimal(plain).scaleByPowerOfTen(2).toPlainString() + "e-2";
            assertEquals(parse(exponent), parse(plain), plain + " against " + exponent);
        }
    }
}
