package io.ringkv.core.engine;

import io.ringkv.core.command.ClientSession;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RequestBatchTest
{
    @Test
    void rollbackTakesBackRequestsAndArgumentsAfterTheMark()
    {
        final RequestBatch batch = new RequestBatch(new ClientSession(1, true), null);
        batch.reset(new UnsafeBuffer(new byte[64]));
        batch.addArg(0, 3);
        batch.addArg(3, 1);
        batch.endRequest(RequestBatch.VALUE_RAW);
        final long mark = batch.mark();
        assertEquals(2, RequestBatch.argCount(mark));

        for (int i = 0; i < 100; i++) // past the initial array sizes, so rollback must survive growth too
        {
            batch.addArg(10 + i, 1);
            batch.endRequest(RequestBatch.VALUE_JSON);
        }
        batch.addArg(50, 2); // pending, not ended
        batch.rollback(mark);

        assertEquals(1, batch.requestCount());
        batch.addArg(20, 5);
        batch.endRequest(RequestBatch.VALUE_INTEGER);
        assertEquals(2, batch.requestCount());
        assertEquals(2, batch.firstArg(1));
        assertEquals(1, batch.argCount(1));
        assertEquals(20, batch.argOffset(batch.firstArg(1)));
        assertEquals(5, batch.argLength(batch.firstArg(1)));
        assertEquals(RequestBatch.VALUE_INTEGER, batch.valueKind(1));
        assertEquals(2, batch.argCount(0));
    }

    @Test
    void argumentsPendingAtTheMarkStayPendingAfterRollback()
    {
        final RequestBatch batch = new RequestBatch(new ClientSession(1, true), null);
        batch.reset(new UnsafeBuffer(new byte[64]));
        batch.addArg(0, 3);
        final long mark = batch.mark();
        batch.addArg(3, 4);
        batch.endRequest(RequestBatch.VALUE_RAW);
        batch.rollback(mark);

        batch.addArg(7, 2);
        batch.endRequest(RequestBatch.VALUE_RAW);
        assertEquals(1, batch.requestCount());
        assertEquals(2, batch.argCount(0));
        assertEquals(0, batch.argOffset(batch.firstArg(0)));
        assertEquals(7, batch.argOffset(batch.firstArg(0) + 1));
    }
}
