package io.ringkv.net.server.command;

import io.ringkv.core.command.Command;
import io.ringkv.core.command.CommandTable;
import io.ringkv.core.command.CoreCommands;
import io.ringkv.net.server.TestServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandIntrospectionCommandsTest
{
    /** A command registered without a catalog line would show no key positions or documentation. */
    @Test
    void everyRegisteredCommandAndSubcommandIsInTheCatalog() throws Exception
    {
        try (TestServer server = TestServer.start())
        {
            // The same registration lines as RingkvServer.start(), into a table the test can read.
            final CommandTable table = CoreCommands.newTable();
            ConnectionStateCommands.register(table, server.server());
            InfoCommands.register(table, server.server());
            ConfigCommands.register(table, server.server());
            CommandIntrospectionCommands.register(table, server.server());
            ClientCommands.register(table, server.server());
            ServerCommands.register(table, server.server());
            DebugCommands.register(table, server.server());

            final CommandCatalog catalog = CommandCatalog.load();
            final List<Command> commands = new ArrayList<>(table.commands());
            for (final Command command : table.commands())
            {
                if (command.handler() instanceof Subcommands container)
                {
                    commands.addAll(container.subcommands());
                }
            }
            assertTrue(commands.size() > 60, commands.toString());
            for (final Command command : commands)
            {
                assertNotNull(catalog.find(command.name()), "command-catalog.txt lacks " + command.name());
            }
        }
    }

    @Test
    void infoCountListAndGetkeysInRedisShapes() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            assertEquals("*1\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n" +
                "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n" +
                "*1\r\n*6\r\n$5\r\nflags\r\n*0\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n" +
                "$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n" +
                "$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n",
                client.call("COMMAND", "INFO", "GET"));
            assertEquals("*1\r\n*-1\r\n", client.call("COMMAND", "INFO", "nosuch"));
            final String mset = client.call("COMMAND", "INFO", "mset");
            assertTrue(mset.contains(":-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:-1\r\n:2\r\n"), mset);
            final String config = client.call("COMMAND", "INFO", "config");
            assertTrue(config.contains("$10\r\nconfig|get\r\n:-3\r\n*1\r\n+admin\r\n"), config);

            final String count = client.call("COMMAND", "COUNT");
            final int commands = Integer.parseInt(count.substring(1).strip());
            assertTrue(commands > 50, count);
            assertTrue(client.call("COMMAND").startsWith("*" + commands + "\r\n"));

            final String list = client.call("COMMAND", "LIST");
            assertTrue(list.contains("$3\r\nget\r\n") && list.contains("$11\r\nclient|kill\r\n"), list);
            assertEquals("*3\r\n$9\r\nrandomkey\r\n$6\r\nrename\r\n$8\r\nrenamenx\r\n",
                client.call("COMMAND", "LIST", "FILTERBY", "PATTERN", "r?n*"));
            assertTrue(client.call("COMMAND", "LIST", "FILTERBY", "ACLCAT", "string").contains("$6\r\nappend\r\n"));
            assertEquals("*0\r\n", client.call("COMMAND", "LIST", "FILTERBY", "MODULE", "x"));
            assertEquals("-ERR syntax error\r\n", client.call("COMMAND", "LIST", "FILTERBY", "foo", "x"));

            assertEquals("*2\r\n$1\r\na\r\n$1\r\nc\r\n", client.call("COMMAND", "GETKEYS", "mset", "a", "b", "c", "d"));
            assertEquals("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n",
                client.call("COMMAND", "GETKEYS", "del", "a", "b", "c"));
            assertEquals("-ERR Invalid command specified\r\n", client.call("COMMAND", "GETKEYS", "foo", "a"));
            assertEquals("-ERR The command has no key arguments\r\n", client.call("COMMAND", "GETKEYS", "ping", "x"));
            assertEquals("-ERR Invalid number of arguments specified for command\r\n",
                client.call("COMMAND", "GETKEYS", "get", "a", "b"));
            assertEquals("-ERR wrong number of arguments for 'command|getkeys' command\r\n",
                client.call("COMMAND", "GETKEYS", "get"));
            assertEquals("-ERR unknown subcommand 'FOO'. Try COMMAND HELP.\r\n", client.call("COMMAND", "FOO"));
        }
    }

    @Test
    void docsAsAMapPerCommandWithSubcommands() throws Exception
    {
        try (TestServer server = TestServer.start();
            RawRespClient client = new RawRespClient(server.port()))
        {
            client.call("HELLO", "3");
            // Byte for byte what redis-server 7.0.15 answers.
            assertEquals("%1\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n" +
                "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n" +
                "$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
                "$14\r\nkey_spec_index\r\n:0\r\n",
                client.call("COMMAND", "DOCS", "get", "nosuch"));
            // The argument tree redis-cli builds its hints from (ringkv leaves out the "history" field).
            final String expire = client.call("COMMAND", "DOCS", "expire");
            assertTrue(expire.endsWith("$9\r\narguments\r\n*3\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n" +
                "$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n%2\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n" +
                "$7\r\ninteger\r\n%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n" +
                "$5\r\n7.0.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n" +
                "$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n" +
                "$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%3\r\n$4\r\nname\r\n" +
                "$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n%3\r\n$4\r\nname\r\n" +
                "$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n"), expire);
            final String config = client.call("COMMAND", "DOCS", "CONFIG");
            assertTrue(config.contains("$11\r\nsubcommands\r\n%5\r\n$10\r\nconfig|get\r\n%5\r\n"), config);
            final String all = client.call("COMMAND", "DOCS");
            final String count = client.call("COMMAND", "COUNT");
            assertTrue(all.startsWith("%" + count.substring(1).strip() + "\r\n"), all.substring(0, 20));
        }
    }
}
