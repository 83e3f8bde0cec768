package io.ringkv.net.server;

import org.junit.jupiter.api.Test;

import static io.ringkv.net.server.ClientConnection.MAX_BATCH_REQUESTS;
import static io.ringkv.net.server.ClientConnection.REPLY_FLUSH_THRESHOLD_BYTES;
import static io.ringkv.net.server.ClientConnection.nextBatchLimit;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientConnectionSliceTest
{
    @Test
    void smallRepliesAllowFullSlicesLargeRepliesOneRequestAtATime()
    {
        assertEquals(MAX_BATCH_REQUESTS, nextBatchLimit(16, 16 * 5));
        assertEquals(MAX_BATCH_REQUESTS, nextBatchLimit(3, 0));
        assertEquals(64, nextBatchLimit(16, 16 * (REPLY_FLUSH_THRESHOLD_BYTES / 64)));
        assertEquals(1, nextBatchLimit(16, 16L * 512 * 1024 * 1024));
        assertEquals(1, nextBatchLimit(1, REPLY_FLUSH_THRESHOLD_BYTES + 1));
    }
}
