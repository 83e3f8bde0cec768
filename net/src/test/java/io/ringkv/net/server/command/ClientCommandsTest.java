package io.ringkv.net.server.command;

import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientCommandsTest
{
    private static final Pattern LINE = Pattern.compile("id=\\d+ addr=127\\.0\\.0\\.1:\\d+ " +
        "laddr=127\\.0\\.0\\.1:\\d+ fd=-?\\d+ name=\\S* age=\\d+ idle=\\d+ flags=N db=\\d+ sub=0 psub=0 ssub=0 " +
        "multi=-1 qbuf=\\d+ qbuf-free=\\d+ " +
        "argv-mem=\\d+ multi-mem=0 rbs=\\d+ rbp=\\d+ obl=\\d+ oll=0 omem=\\d+ tot-mem=\\d+ events=rw? cmd=\\S+ " +
        "user=default " +
        "redir=-1 resp=[23] lib-name=\\S* lib-ver=\\S*");

    @Test
    void idNameAndInfo() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            final long id = jedis.clientId();
            assertTrue(id > 0);
            assertNull(jedis.clientGetname());
            assertEquals("OK", jedis.clientSetname("worker-1"));
            assertEquals("worker-1", jedis.clientGetname());
            assertEquals("ERR Client names cannot contain spaces, newlines or special characters.",
                assertThrows(JedisDataException.class, () -> jedis.clientSetname("a b")).getMessage());
            jedis.select(3);
            final String info = jedis.clientInfo();
            assertTrue(info.endsWith("\n"));
            assertTrue(LINE.matcher(info.strip()).matches(), info);
            assertTrue(info.startsWith("id=" + id + " "), info);
            assertTrue(info.contains(" name=worker-1 "), info);
            assertTrue(info.contains(" db=3 "), info);
            assertTrue(info.contains(" cmd=client|info "), info);
        }
    }

    @Test
    void listShowsEachConnectionsBuffers() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis observer = new Jedis("127.0.0.1", server.port());
            RawRespClient partial = new RawRespClient(server.port()))
        {
            partial.call("CLIENT", "SETNAME", "partial");
            // Half a request stays in the connection's read buffer until the rest arrives.
            final String half = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n" + "v".repeat(40);
            partial.sendRaw(half);
            String line = "";
            for (int attempt = 0; attempt < 200 && !line.contains(" qbuf=" + half.length() + " "); attempt++)
            {
                Thread.sleep(10);
                line = java.util.Arrays.stream(observer.clientList().split("\n"))
                    .filter(l -> l.contains(" name=partial ")).findFirst().orElse("");
            }
            assertTrue(LINE.matcher(line).matches(), line);
            assertTrue(line.contains(" qbuf=" + half.length() + " "), line);
            final Matcher figures = Pattern.compile(" qbuf=(\\d+) qbuf-free=(\\d+) .* rbs=(\\d+) .* omem=(\\d+) " +
                "tot-mem=(\\d+) ").matcher(line);
            assertTrue(figures.find(), line);
            final long readBuffer = Long.parseLong(figures.group(3));
            assertEquals(readBuffer, Long.parseLong(figures.group(1)) + Long.parseLong(figures.group(2)), line);
            assertTrue(readBuffer > 0 && Long.parseLong(figures.group(4)) > 0, line);
            assertEquals(readBuffer + Long.parseLong(figures.group(4)), Long.parseLong(figures.group(5)), line);
            partial.sendRaw("v".repeat(60) + "\r\n");
            assertEquals("+OK\r\n", partial.read());
        }
    }

    @Test
    void listShowsEveryClientAndFiltersByIdAndType() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis a = new Jedis("127.0.0.1", server.port());
            Jedis b = new Jedis("127.0.0.1", server.port()))
        {
            b.clientSetname("bee");
            final String[] lines = a.clientList().split("\n");
            assertEquals(2, lines.length);
            for (final String line : lines)
            {
                assertTrue(LINE.matcher(line).matches(), line);
            }
            // Jedis connects lazily: b spoke first, so it has the lower id and the first line.
            assertTrue(lines[0].contains(" name=bee ") && lines[0].contains(" cmd=client|setname "), lines[0]);
            assertTrue(lines[1].contains(" cmd=client|list "), lines[1]);

            final long bId = b.clientId();
            final String one = new String((byte[])a.sendCommand(() -> "CLIENT".getBytes(), "LIST", "ID",
                Long.toString(bId), "999999"));
            assertEquals(1, one.split("\n").length);
            assertTrue(one.startsWith("id=" + bId + " "));
            assertEquals(2, a.clientList(redis.clients.jedis.args.ClientType.NORMAL).split("\n").length);
            assertEquals("", new String((byte[])a.sendCommand(() -> "CLIENT".getBytes(), "LIST", "TYPE", "pubsub")));
            assertEquals("ERR Unknown client type 'foo'", assertThrows(JedisDataException.class,
                () -> a.sendCommand(() -> "CLIENT".getBytes(), "LIST", "TYPE", "foo")).getMessage());
            assertEquals("ERR Invalid client ID", assertThrows(JedisDataException.class,
                () -> a.sendCommand(() -> "CLIENT".getBytes(), "LIST", "ID", "1", "abc")).getMessage());
            assertEquals("ERR syntax error", assertThrows(JedisDataException.class,
                () -> a.sendCommand(() -> "CLIENT".getBytes(), "LIST", "FOO")).getMessage());
        }
    }

    @Test
    void killOldAndNewForms() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis admin = new Jedis("127.0.0.1", server.port());
            RawRespClient victim = new RawRespClient(server.port());
            RawRespClient second = new RawRespClient(server.port()))
        {
            final String victimId = victim.call("CLIENT", "ID").substring(1).strip();
            final String secondInfo = second.call("CLIENT", "INFO");
            final String secondAddr = secondInfo.replaceAll("(?s).* addr=(\\S+) .*", "$1");

            assertEquals("ERR No such client", assertThrows(JedisDataException.class,
                () -> admin.clientKill("1.2.3.4:5")).getMessage());
            assertEquals("OK", admin.clientKill(secondAddr));
            assertTrue(second.closedByServer());

            assertEquals(0L, admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "ID", "999999"));
            assertEquals("ERR client-id should be greater than 0", assertThrows(JedisDataException.class,
                () -> admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "ID", "abc")).getMessage());
            assertEquals("ERR Unknown client type 'foo'", assertThrows(JedisDataException.class,
                () -> admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "TYPE", "foo")).getMessage());
            assertEquals("ERR No such user 'bob'", assertThrows(JedisDataException.class,
                () -> admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "USER", "bob")).getMessage());
            assertEquals("ERR syntax error", assertThrows(JedisDataException.class,
                () -> admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "SKIPME", "maybe")).getMessage());
            assertEquals("ERR syntax error", assertThrows(JedisDataException.class,
                () -> admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "MAXAGE", "5")).getMessage());

            assertEquals(1L, admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "ID", victimId));
            assertTrue(victim.closedByServer());
            final long deadlineMs = System.currentTimeMillis() + 5_000;
            while (server.server().registry().size() > 1 && System.currentTimeMillis() < deadlineMs)
            {
                Thread.sleep(5);
            }
            // SKIPME yes (the default) spares the caller; the admin connection still works.
            assertEquals(0L, admin.sendCommand(() -> "CLIENT".getBytes(), "KILL", "TYPE", "normal"));
            assertEquals("PONG", admin.ping());
        }
    }

    @Test
    void killSkipmeNoClosesTheCallerAfterItsReply() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals(":1\r\n", client.call("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void replyOffSkipOn() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            client.send("CLIENT", "REPLY", "OFF");
            client.send("SET", "k", "1");
            client.send("INCR", "k");
            assertTrue(client.silentFor(200));
            assertEquals("+OK\r\n", client.call("CLIENT", "REPLY", "ON"));
            assertEquals("$1\r\n2\r\n", client.call("GET", "k"));
            client.send("CLIENT", "REPLY", "SKIP");
            client.send("INCR", "k");
            assertEquals(":4\r\n", client.call("INCR", "k"));
            assertEquals("-ERR syntax error\r\n", client.call("CLIENT", "REPLY", "MAYBE"));
            assertEquals("-ERR wrong number of arguments for 'client|reply' command\r\n",
                client.call("CLIENT", "REPLY", "SKIP", "x"));
        }
    }

    @Test
    void setinfoNoEvictNoTouchAndHelp() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("+OK\r\n", client.call("CLIENT", "SETINFO", "LIB-NAME", "jedis"));
            assertEquals("+OK\r\n", client.call("CLIENT", "SETINFO", "lib-ver", "5.1.0"));
            assertTrue(client.call("CLIENT", "INFO").contains(" lib-name=jedis lib-ver=5.1.0\n"));
            assertEquals("-ERR Unrecognized option 'lib-foo'\r\n", client.call("CLIENT", "SETINFO", "lib-foo", "x"));
            assertEquals("-ERR lib-name cannot contain spaces, newlines or special characters.\r\n",
                client.call("CLIENT", "SETINFO", "lib-name", "a b"));
            assertEquals("+OK\r\n", client.call("CLIENT", "NO-EVICT", "on"));
            assertEquals("+OK\r\n", client.call("CLIENT", "NO-TOUCH", "OFF"));
            assertEquals("-ERR syntax error\r\n", client.call("CLIENT", "NO-EVICT", "maybe"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n", client.call("CLIENT", "FOO"));
            assertEquals("-ERR wrong number of arguments for 'client|id' command\r\n",
                client.call("CLIENT", "ID", "x"));
            assertTrue(client.call("CLIENT", "HELP").startsWith("*"));
        }
    }

    @Test
    void jedisHandshakeWithSetinfoWorks() throws Exception
    {
        try (TestServer server = TestServer.start();
            Jedis jedis = new Jedis("127.0.0.1", server.port()))
        {
            assertEquals("OK", jedis.set("k", "v"));
            assertFalse(jedis.clientList().isEmpty());
        }
    }
}
