package io.ringkv.core.command;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ClientPause} by itself: Redis's pauseClients rules (a pause in force keeps its stronger type and later end;
 * a pause that ended is forgotten) and the holding: a waiter whose batch is held waits until UNPAUSE or the end,
 * one whose batch is not held passes at once, and held waiters are counted while they wait.
 */
class ClientPauseTest
{
    @Test
    void aPauseInForceKeepsItsStrongerTypeAndLaterEnd()
    {
        final ClientPause pause = new ClientPause();
        assertEquals(ClientPause.NONE, pause.type(1000));
        pause.pause(2000, ClientPause.ALL, 1000);
        pause.pause(1500, ClientPause.WRITE, 1000);
        assertEquals(ClientPause.ALL, pause.type(1999), "the stronger type stays");
        assertEquals(ClientPause.NONE, pause.type(2000), "the later end stays, and is exclusive");
        pause.pause(3000, ClientPause.WRITE, 2500);
        assertEquals(ClientPause.WRITE, pause.type(2600), "an ended pause is forgotten: the new one's type");
        pause.pause(500, ClientPause.ALL, 2600);
        assertEquals(ClientPause.ALL, pause.type(2600), "a stronger type raises the one in force");
        assertEquals(ClientPause.NONE, pause.type(3000));
        pause.unpause();
        assertEquals(ClientPause.NONE, pause.type(2600));
        assertFalse(pause.mayBePaused());
    }

    @Test
    void theTickEndsAPauseWhoseTimeHasPassedSoConnectionsStopConsultingIt()
    {
        final ClientPause pause = new ClientPause();
        pause.pause(2000, ClientPause.WRITE, 1000);
        assertTrue(pause.inForce(1999));
        assertTrue(pause.mayBePaused());
        assertFalse(pause.inForce(2000));
        assertFalse(pause.mayBePaused(), "an expired pause no longer costs each batch the pause check");
        assertEquals(ClientPause.NONE, pause.type(1500));
    }

    @Test
    void aHeldWaiterGoesOnAtUnpauseAndIsCountedMeanwhile() throws Exception
    {
        final ClientPause pause = new ClientPause();
        pause.pause(System.currentTimeMillis() + 60_000, ClientPause.WRITE, System.currentTimeMillis());
        final CountDownLatch released = new CountDownLatch(1);
        final Thread waiter = Thread.ofVirtual().start(() ->
        {
            pause.await(type -> type == ClientPause.WRITE);
            released.countDown();
        });
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pause.held() != 1 && System.nanoTime() < deadline)
        {
            Thread.sleep(1);
        }
        assertEquals(1, pause.held());
        assertFalse(released.await(100, TimeUnit.MILLISECONDS), "held while the pause lasts");
        pause.unpause();
        assertTrue(released.await(10, TimeUnit.SECONDS), "UNPAUSE lets it go");
        waiter.join();
        assertEquals(0, pause.held());
    }

    @Test
    void aHeldWaiterGoesOnAtTheEndAndANotHeldOneAtOnce() throws Exception
    {
        final ClientPause pause = new ClientPause();
        final long startMs = System.currentTimeMillis();
        pause.pause(startMs + 300, ClientPause.WRITE, startMs);
        pause.await(type -> false); // a read during a WRITE pause: not held
        assertTrue(System.currentTimeMillis() - startMs < 300, "not held");
        final AtomicLong seen = new AtomicLong();
        pause.await(type ->
        {
            seen.set(type);
            return true;
        });
        assertTrue(System.currentTimeMillis() >= startMs + 300, "held until the end");
        assertEquals(ClientPause.WRITE, seen.get());
        assertEquals(0, pause.held());
    }
}
