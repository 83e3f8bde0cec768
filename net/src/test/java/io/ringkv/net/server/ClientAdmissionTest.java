package io.ringkv.net.server;

import io.ringkv.net.server.config.ServerConfig;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.InetAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Protected mode and enable-debug-command, decided per client as Redis 7.0.15 decides them. Tests cannot reach a
 * non-loopback address, so the decision on such peers is tested on {@link ClientAdmission} directly, and the
 * end-to-end tests show what loopback clients get (ProtectedModeEndToEndTest: clients the server is told are
 * remote).
 */
class ClientAdmissionTest
{
    private static final String DEBUG_REFUSED = "ERR DEBUG command not allowed. If the enable-debug-command option is " +
        "set to \"local\", you can run it from a local connection, otherwise you need to set this option in the " +
        "configuration file, and then restart the server.";

    private static final List<String> REMOTE = List.of("192.0.2.7", "10.1.2.3", "2001:db8::1", "::ffff:192.0.2.7");
    private static final List<String> LOCAL = List.of("127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1");

    @Test
    void protectedModeRefusesNonLoopbackPeersWhileNoPasswordIsSet() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        for (final String remote : REMOTE)
        {
            assertTrue(denied(config, remote), remote);
        }
        for (final String local : LOCAL)
        {
            assertFalse(denied(config, local), local);
        }
        assertFalse(ClientAdmission.isLocal(null), "an unknown peer is not local");

        // What CONFIG SET changes applies to the next client: a password lets remote clients in (to AUTH)...
        assertEquals(null, config.setAll(List.of("requirepass", "pw"), true));
        assertFalse(denied(config, "192.0.2.7"));
        // ...and removing it on a server bound beyond loopback shuts them out again.
        assertEquals(null, config.setAll(List.of("requirepass", ""), true));
        assertTrue(denied(config, "192.0.2.7"));
        assertEquals(null, config.setAll(List.of("protected-mode", "no"), true));
        assertFalse(denied(config, "192.0.2.7"));
    }

    @Test
    void deniedTextIsRedisesWord4Word()
    {
        assertTrue(ClientAdmission.DENIED.startsWith("-DENIED Redis is running in protected mode because protected " +
            "mode is enabled and no password is set for the default user."));
        assertTrue(ClientAdmission.DENIED.endsWith("4) Setup a an authentication password for the default user. NOTE: " +
            "You only need to do one of the above things in order for the server to start accepting connections " +
            "from the outside.\r\n"));
        assertEquals(1, ClientAdmission.DENIED.split("\r\n", -1).length - 1, "one line");
    }

    @Test
    void loopbackClientsPassProtectedModeWithoutAPassword() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.commandLine("--protected-mode", "yes"));
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("PONG", jedis.ping());
            assertEquals("OK", jedis.configSet("requirepass", "pw"));
            assertEquals("OK", jedis.auth("pw"));
            assertEquals("OK", jedis.configSet("requirepass", ""));
            try (Jedis other = new Jedis("127.0.0.1", server.port()))
            {
                assertEquals("PONG", other.ping());
            }
        }
    }

    @Test
    void debugIsDecidedByEnableDebugCommandAndThePeer() throws Exception
    {
        final ServerConfig config = new ServerConfig();
        assertEquals("no", config.enableDebugCommand.text(), "off by default, as in Redis 7");
        for (final String peer : concat(REMOTE, LOCAL))
        {
            assertFalse(debugAllowed(config, peer), peer);
        }
        config.enableDebugCommand.set("local");
        for (final String remote : REMOTE)
        {
            assertFalse(debugAllowed(config, remote), remote);
        }
        for (final String local : LOCAL)
        {
            assertTrue(debugAllowed(config, local), local);
        }
        config.enableDebugCommand.set("yes");
        for (final String peer : concat(REMOTE, LOCAL))
        {
            assertTrue(debugAllowed(config, peer), peer);
        }
    }

    @Test
    void debugIsRefusedByDefaultBeforeAuthenticationWithRedisText() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.commandLine("--requirepass", "pw"));
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            // Redis 7.0.15 checks arity, then protected commands, then authentication.
            assertEquals("ERR wrong number of arguments for 'debug' command",
                assertThrows(JedisDataException.class, () -> debug(jedis)).getMessage());
            assertEquals(DEBUG_REFUSED, assertThrows(JedisDataException.class,
                () -> debug(jedis, "SLEEP", "1000000000")).getMessage());
            assertEquals("OK", jedis.auth("pw"));
            assertEquals(DEBUG_REFUSED, assertThrows(JedisDataException.class, () -> debug(jedis, "DIGEST"))
                .getMessage());
            assertEquals("ERR CONFIG SET failed (possibly related to argument 'enable-debug-command') - can't set " +
                "immutable config", assertThrows(JedisDataException.class,
                () -> jedis.configSet("enable-debug-command", "yes")).getMessage());
            assertEquals("PONG", jedis.ping(), "the engine was not put to sleep");
            final String stats = jedis.info("commandstats");
            assertTrue(stats.contains("cmdstat_debug:calls=0,") && stats.contains("rejected_calls=3"), stats);
        }
    }

    @Test
    void debugRunsForLoopbackClientsWhenLocalOrYes() throws Exception
    {
        for (final String mode : List.of("local", "yes"))
        {
            try (TestServer server = TestServer.start(TestServer.commandLine("--enable-debug-command", mode));
                Jedis jedis = new Jedis("127.0.0.1", server.port()))
            {
                assertEquals("OK", debug(jedis, "SLEEP", "0"), mode);
                assertEquals("0".repeat(40), debug(jedis, "DIGEST"), mode);
            }
        }
    }

    private static String debug(final Jedis jedis, final String... args)
    {
        final Object reply = jedis.sendCommand(() -> "DEBUG".getBytes(java.nio.charset.StandardCharsets.US_ASCII), args);
        return reply instanceof byte[] bytes ? new String(bytes) : String.valueOf(reply);
    }

    private static List<String> concat(final List<String> a, final List<String> b)
    {
        final java.util.ArrayList<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static boolean denied(final ServerConfig config, final String address) throws Exception
    {
        return ClientAdmission.deniedByProtectedMode(config, ClientAdmission.isLocal(InetAddress.getByName(address)));
    }

    private static boolean debugAllowed(final ServerConfig config, final String address) throws Exception
    {
        return ClientAdmission.debugAllowed(config, ClientAdmission.isLocal(InetAddress.getByName(address)));
    }
}
