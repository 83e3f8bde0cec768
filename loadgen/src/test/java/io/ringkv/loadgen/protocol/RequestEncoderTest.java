package io.ringkv.loadgen.protocol;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.runtime.Settings;
import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyFormat;
import io.ringkv.loadgen.workload.RequestArguments;
import io.ringkv.loadgen.workload.SequentialKeyDistribution;
import io.ringkv.loadgen.workload.ValuePool;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestEncoderTest
{
    private static final DslJson<Object> JSON = new DslJson<>(Settings.withRuntime().includeServiceLoader());

    @Test
    void respGetAndSet()
    {
        assertEquals("*2\r\n$3\r\nGET\r\n$16\r\nkey:000000000042\r\n",
            encode(new RespRequestEncoder(), CommandTemplate.builtIn("get", 1), "key:", 42, 5, false));
        final String set = encode(new RespRequestEncoder(), CommandTemplate.builtIn("set", 1), "key:", 7, 5, false);
        assertTrue(set.startsWith("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$5\r\n"), set);
        assertEquals(set.length(), "*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000007\r\n$5\r\n".length() + 5 + 2);
        assertEquals("*4\r\n$4\r\nMGET\r\n$16\r\nkey:000000000001\r\n$16\r\nkey:000000000002\r\n"
            + "$16\r\nkey:000000000003\r\n",
            encode(new RespRequestEncoder(), CommandTemplate.builtIn("mget", 3), "key:", 1, 5, false));
    }

    @Test
    void respTemplateFillsPlaceholders()
    {
        final CommandTemplate template = CommandTemplate.parse("HSET __key__ field __value__");
        assertEquals("hset", template.name());
        final String text = encode(new RespRequestEncoder(), template, "h:", 9, 4, false);
        assertTrue(text.startsWith("*4\r\n$4\r\nHSET\r\n$16\r\nh:00000000000009\r\n$5\r\nfield\r\n$4\r\n"), text);
        final String rand = encode(new RespRequestEncoder(), CommandTemplate.parse("x=INCRBY c:__rand__ __rand__"),
            "k", 0, 1, false);
        assertTrue(rand.matches("\\*3\r\n\\$6\r\nINCRBY\r\n\\$10\r\nc:__rand__\r\n\\$\\d\r\n\\d+\r\n"), rand);
    }

    @Test
    void jsonRequestsAreValidJsonLines() throws IOException
    {
        final RequestEncoder json = new JsonLineRequestEncoder();
        assertEquals("{\"cmd\":\"get\",\"key\":\"key:000000000042\"}\n",
            encode(json, CommandTemplate.builtIn("get", 1), "key:", 42, 5, true));
        final Map<String, Object> set =
            parse(encode(json, CommandTemplate.builtIn("set", 1), "k\"\\\u0001:", 3, 20, true));
        assertEquals("set", set.get("cmd"));
        assertEquals("k\"\\\u0001:00000000003", set.get("key"));
        assertEquals(20, ((String)set.get("value")).length());
        final Map<String, Object> mget = parse(encode(json, CommandTemplate.builtIn("mget", 2), "key:", 5, 5, true));
        assertEquals("MGET", mget.get("cmd"));
        assertEquals(List.of("key:000000000005", "key:000000000006"), mget.get("args"));
        final Map<String, Object> incr = parse(encode(json, CommandTemplate.builtIn("incr", 1), "key:", 5, 5, true));
        assertEquals(Map.of("cmd", "incr", "key", "key:000000000005"), incr);
        final ByteBuffer buffer = ByteBuffer.allocate(256);
        final byte[] bytes = new byte[json.encodeWords(buffer, 0, "AUTH", "u", "p\"w")];
        buffer.get(0, bytes);
        final Map<String, Object> words = parse(new String(bytes, StandardCharsets.UTF_8));
        assertEquals("AUTH", words.get("cmd"));
        assertEquals(List.of("u", "p\"w"), words.get("args"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(final String line) throws IOException
    {
        assertTrue(line.endsWith("\n") && line.indexOf('\n') == line.length() - 1, line);
        return (Map<String, Object>)JSON.deserialize(Map.class,
            new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)));
    }

    private static String encode(
        final RequestEncoder encoder,
        final CommandTemplate command,
        final String prefix,
        final long firstKey,
        final int valueSize,
        final boolean jsonSafe)
    {
        final KeyFormat format = new KeyFormat(prefix, 16);
        final RequestArguments args = new RequestArguments(new SequentialKeyDistribution(1000, firstKey), format,
            new ValuePool(valueSize, valueSize, true, jsonSafe, 1), new SplittableRandom(1), 1000);
        final ByteBuffer buffer = ByteBuffer.allocateDirect(
            command.maxEncodedLength(format.length(), valueSize, 20) + 7);
        final int end = encoder.encode(buffer, 7, command, args);
        final byte[] bytes = new byte[end - 7];
        buffer.get(7, bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
