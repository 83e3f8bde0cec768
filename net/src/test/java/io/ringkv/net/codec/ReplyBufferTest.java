package io.ringkv.net.codec;

import io.ringkv.core.command.ClientSession;
import io.ringkv.net.resp.RespReply;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReplyBufferTest
{
    /**
     * Before, a reply past the buffer's largest size failed half-way (an IndexOutOfBoundsException caught on the
     * engine thread) and the connection went on to send the half-written reply: a stream the client misreads.
     */
    @Test
    void aReplyThatCannotFitBreaksTheStreamInsteadOfSendingHalfOfIt()
    {
        final ReplyBuffer output = new ReplyBuffer(64, 1024);
        final RespReply reply = new RespReply(new ClientSession(1, true), output);
        final byte[] value = new byte[600];
        reply.startRequest(0);
        reply.arrayHeader(2);
        reply.bulk(value);
        assertThrows(IllegalStateException.class, () -> reply.bulk(value));
        assertTrue(output.broken());
        assertEquals(0, output.position(), "nothing of the failed batch is left to write");
    }

    @Test
    void aReplyLeftOpenByAFailingCommandBreaksTheStream()
    {
        final ReplyBuffer output = new ReplyBuffer(64, 1024);
        final RespReply reply = new RespReply(new ClientSession(1, true), output);
        reply.startRequest(0);
        reply.ok();
        reply.endRequest(0);
        assertFalse(output.broken());
        reply.startRequest(1);
        reply.arrayHeader(3); // and the command fails before its elements
        assertTrue(output.broken());
        reply.startRequest(2);
        reply.ok();
        reply.endRequest(2);
        assertTrue(output.broken(), "stays broken");
    }
}
