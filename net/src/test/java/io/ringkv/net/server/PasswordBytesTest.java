package io.ringkv.net.server;

import io.ringkv.net.server.config.ConfigLoader;
import io.ringkv.net.server.config.ServerConfig;
import io.ringkv.replication.replica.MasterLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisDataException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Passwords are bytes, as in Redis, wherever they come from: UTF-8 from the command line, raw bytes from a config
 * file, the bytes of a CONFIG SET argument; AUTH, HELLO AUTH and masterauth compare and send exactly those bytes.
 * Before, a CJK or emoji password became '?'s, so {@code AUTH ????} passed and the real password failed.
 */
class PasswordBytesTest
{
    /** CJK, kana and an emoji (4 UTF-8 bytes, a surrogate pair in Java). */
    private static final String PASSWORD = "密码パス🔑";
    private static final byte[] PASSWORD_BYTES = PASSWORD.getBytes(StandardCharsets.UTF_8);
    /** What the password looked like after the old lossy conversion. */
    private static final String QUESTION_MARKS = "?????";

    @TempDir
    Path dir;

    @Test
    void commandLinePasswordIsItsUtf8Bytes() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.commandLine("--requirepass", PASSWORD)))
        {
            assertPasswordIs(server, PASSWORD_BYTES);
        }
    }

    @Test
    void configFilePasswordIsItsRawBytes() throws Exception
    {
        assertConfigFilePasswordIs(PASSWORD_BYTES, "\n");
        // Bytes that are not UTF-8 at all stay what they are too (and a CRLF line ending is no part of them).
        assertConfigFilePasswordIs(new byte[]{ (byte)0xE9, 't', (byte)0xE9, (byte)0xFF }, "\r\n");
    }

    private void assertConfigFilePasswordIs(final byte[] password, final String lineEnd) throws Exception
    {
        final Path file = dir.resolve("ringkv.conf");
        final ByteArrayOutputStream text = new ByteArrayOutputStream();
        text.writeBytes("requirepass ".getBytes(StandardCharsets.US_ASCII));
        text.writeBytes(password);
        text.writeBytes(lineEnd.getBytes(StandardCharsets.US_ASCII));
        Files.write(file, text.toByteArray());
        try (TestServer server = TestServer.start(TestServer.commandLine("--config", file.toString())))
        {
            assertPasswordIs(server, password);
        }
    }

    @Test
    void configSetPasswordIsTheArgumentsBytes() throws Exception
    {
        try (TestServer server = TestServer.start(TestServer.commandLine());
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", new String((byte[])jedis.sendCommand(Protocol.Command.CONFIG,
                "SET".getBytes(StandardCharsets.US_ASCII), "requirepass".getBytes(StandardCharsets.US_ASCII),
                PASSWORD_BYTES), StandardCharsets.US_ASCII));
            assertPasswordIs(server, PASSWORD_BYTES);
        }
    }

    @Test
    void configRewriteWritesTheSameBytesBack() throws Exception
    {
        final Path file = dir.resolve("rewritten.conf");
        Files.writeString(file, "# passwords\n");
        try (TestServer server = TestServer.start(TestServer.commandLine("--requirepass", PASSWORD));
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            server.server().config().configFile(file.toString());
            jedis.auth(PASSWORD);
            assertEquals("OK", jedis.configRewrite());
        }
        final ServerConfig reloaded = new ServerConfig();
        new ConfigLoader(reloaded).loadFile(file);
        assertArrayEquals(PASSWORD_BYTES, reloaded.requirepass.text().getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void masterauthSendsTheUtf8BytesTheMasterExpects() throws Exception
    {
        try (TestServer master = TestServer.start(TestServer.commandLine("--requirepass", PASSWORD));
            TestServer replica = TestServer.start(TestServer.commandLine(
                "--replicaof", "127.0.0.1", Integer.toString(master.port()), "--masterauth", PASSWORD)))
        {
            final long deadline = System.currentTimeMillis() + 10_000;
            MasterLink link = replica.server().replication().link();
            while (null == link || !"up".equals(link.linkStatus()))
            {
                assertTrue(System.currentTimeMillis() < deadline,
                    "the link comes up; last error: " + (null == link ? "no link" : link.lastError()));
                Thread.sleep(10);
                link = replica.server().replication().link();
            }
        }
    }

    private static void assertPasswordIs(final TestServer server, final byte[] password)
    {
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final JedisDataException noauth = assertThrows(JedisDataException.class, jedis::ping);
            assertTrue(noauth.getMessage().startsWith("NOAUTH"), noauth.getMessage());
            final JedisDataException wrong = assertThrows(JedisDataException.class, () -> jedis.auth(QUESTION_MARKS));
            assertTrue(wrong.getMessage().startsWith("WRONGPASS"), wrong.getMessage());
            assertEquals("OK", new String((byte[])jedis.sendCommand(Protocol.Command.AUTH, password),
                StandardCharsets.ISO_8859_1));
            assertEquals("PONG", jedis.ping());
            @SuppressWarnings("unchecked")
            final List<byte[]> got = (List<byte[]>)jedis.sendCommand(Protocol.Command.CONFIG,
                "GET".getBytes(StandardCharsets.US_ASCII), "requirepass".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(password, got.get(1));
        }
        try (Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            // redis-server 7.0.15's text (7.2 says "HELLO <proto> AUTH"), compared side by side.
            assertEquals("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO " +
                "AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol " +
                "version at the same time", assertThrows(JedisDataException.class,
                () -> jedis.sendCommand(Protocol.Command.HELLO, "2")).getMessage());
            final Object hello = jedis.sendCommand(Protocol.Command.HELLO, "2".getBytes(StandardCharsets.US_ASCII),
                "AUTH".getBytes(StandardCharsets.US_ASCII), "default".getBytes(StandardCharsets.US_ASCII), password);
            assertTrue(hello instanceof List, String.valueOf(hello));
            assertEquals("PONG", jedis.ping());
        }
    }
}
