package io.ringkv.core.command;

import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.json.JsonDocuments;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/data-model.md's rules: what each value kind stores, and what GET returns to a JSON client (int:, json:
 * markers) and to a RESP client (bulk text).
 */
class JsonValuesTest
{
    @AutoClose
    private final EngineHarness json = new EngineHarness(new StoreConfig(), true, List.of());

    @Test
    void documentsAreStoredCompactAndReturnedAsJson()
    {
        assertEquals("+OK", json.execKind(RequestBatch.VALUE_JSON, "SET", "obj", "{ \"a\" : 1, \"b\" : [1, 2, 5] }"));
        assertEquals("json:{\"a\":1,\"b\":[1,2,5]}", json.exec("GET", "obj"));
        assertEquals("+json", json.exec("TYPE", "obj"));
        assertEquals("+OK", json.execKind(RequestBatch.VALUE_JSON, "SET", "arr", " [1, 2, 5] "));
        assertEquals("json:[1,2,5]", json.exec("GET", "arr"));
        for (final String literal : new String[]{"true", "false", "null", "1.5", "-0.25", "1E+400", "1.10"})
        {
            json.execKind(RequestBatch.VALUE_JSON, "SET", "lit", literal);
            assertEquals("json:" + literal, json.exec("GET", "lit"));
        }
        json.execKind(RequestBatch.VALUE_JSON, "SET", "s", "{\"k\":\"caf\u00c3\u00a9 \\\"q\\\" \\u0041\"}");
        assertTrue(json.exec("GET", "s").startsWith("json:{\"k\":\"caf"));
        assertEquals("[json:[1,2,5], json:{\"a\":1,\"b\":[1,2,5]}, (nil)]", json.exec("MGET", "arr", "obj", "none"));
    }

    /**
     * Documents are validated and compacted as text, never materialised: arrays directly inside arrays (which
     * failed with "Failed to find serializer for: class java.util.ArrayList"), numbers and escapes as written.
     */
    @Test
    void everyJsonValueIsKeptAsWritten()
    {
        for (final String[] spacedAndCompact : new String[][]{
            {"[[1,2],[3]]", "[[1,2],[3]]"},
            {" [ [ [ ] , [ [ 1 ] ] ] , { } ] ", "[[[],[[1]]],{}]"},
            {"{\"a\" : [[{\"b\":[[null]]}]]}", "{\"a\":[[{\"b\":[[null]]}]]}"},
            {"[-0, 1.10, 1E+400, -2.5e-3, 123456789012345678901234567890]",
                "[-0,1.10,1E+400,-2.5e-3,123456789012345678901234567890]"},
            {"[\"a b\", \"\\u0041\\n\\/\\\"\", \"[1, 2]\"]", "[\"a b\",\"\\u0041\\n\\/\\\"\",\"[1, 2]\"]"},
            {"\t{\r\n\"k\"\n:\ttrue }\n", "{\"k\":true}"}})
        {
            assertEquals("+OK", json.execKind(RequestBatch.VALUE_JSON, "SET", "doc", spacedAndCompact[0]));
            assertEquals("json:" + spacedAndCompact[1], json.exec("GET", "doc"));
        }
        final int maxDepth = JsonDocuments.MAX_DEPTH;
        final String deep = "[".repeat(maxDepth) + "]".repeat(maxDepth);
        assertEquals("+OK", json.execKind(RequestBatch.VALUE_JSON, "SET", "deep", deep));
        assertEquals("json:" + deep, json.exec("GET", "deep"));
        final String tooDeep = "[".repeat(maxDepth + 1) + "]".repeat(maxDepth + 1);
        final String refused = json.execKind(RequestBatch.VALUE_JSON, "SET", "deep", tooDeep);
        assertTrue(refused.startsWith("-ERR value is not valid JSON: nesting deeper than " + maxDepth), refused);
        for (final String bad : new String[]{"[01]", "[1.]", "[.5]", "[1e]", "[-]", "[\"\\x\"]", "[\"\\u12g4\"]",
            "[\"a\u0001\"]", "{\"a\":1,}", "[1,]", "{1:2}", "[nul]", "[[1]", "[1]]", "{\"a\"}", "[1 2]"})
        {
            final String reply = json.execKind(RequestBatch.VALUE_JSON, "SET", "deep", bad);
            assertTrue(reply.startsWith("-ERR value is not valid JSON"), bad + " -> " + reply);
        }
        assertEquals("json:" + deep, json.exec("GET", "deep"));
    }

    @Test
    void integersAreCountersThatStayNumbers()
    {
        assertEquals("+OK", json.execKind(RequestBatch.VALUE_INTEGER, "SET", "n", "41"));
        assertEquals("int:41", json.exec("GET", "n"));
        assertEquals("+string", json.exec("TYPE", "n"));
        assertEquals(":42", json.exec("INCR", "n"));
        assertEquals("int:42", json.exec("GET", "n"));
        assertEquals(":2", json.exec("STRLEN", "n"));
        json.execKind(RequestBatch.VALUE_INTEGER, "SET", "min", "-9223372036854775808");
        assertEquals("int:-9223372036854775808", json.exec("GET", "min"));
        // A RESP string of digits stays a string until INCR makes it an integer.
        json.exec("SET", "r", "10");
        assertEquals("$10", json.exec("GET", "r"));
        json.exec("INCR", "r");
        assertEquals("int:11", json.exec("GET", "r"));
        // Not canonical as a 64-bit integer: kept as a json number.
        json.execKind(RequestBatch.VALUE_INTEGER, "SET", "big", "92233720368547758070");
        assertEquals("json:92233720368547758070", json.exec("GET", "big"));
        assertEquals("-WRONGTYPE Operation against a key holding the wrong kind of value", json.exec("INCR", "big"));
    }

    @Test
    void respClientsGetTheText()
    {
        try (EngineHarness resp = new EngineHarness())
        {
            resp.execKind(RequestBatch.VALUE_JSON, "SET", "obj", "{\"a\": [true, null]}");
            assertEquals("${\"a\":[true,null]}", resp.exec("GET", "obj"));
            resp.execKind(RequestBatch.VALUE_INTEGER, "SET", "n", "7");
            assertEquals("$7", resp.exec("GET", "n"));
            assertEquals("${\"a\":[true,null]}", resp.exec("GETDEL", "obj"));
        }
    }

    @Test
    void invalidJsonIsRefusedAndChangesNothing()
    {
        json.exec("SET", "k", "keep");
        for (final String bad : new String[]{"{", "[1,", "{\"a\" 1}", "tru", "[1] x", "", "{\"a\":1}}", "'x'"})
        {
            final String reply = json.execKind(RequestBatch.VALUE_JSON, "SET", "k", bad);
            assertTrue(reply.startsWith("-ERR value is not valid JSON"), bad + " -> " + reply);
            assertEquals("$keep", json.exec("GET", "k"));
        }
        final String reply = json.execKind(RequestBatch.VALUE_JSON, "MSET", "x", "[1]", "k", "[oops");
        assertTrue(reply.startsWith("-ERR value is not valid JSON"), reply);
        assertEquals("[(nil), $keep]", json.exec("MGET", "x", "k"));
    }

    @Test
    void wholeValueCommandsCarryDocuments()
    {
        json.execKind(RequestBatch.VALUE_JSON, "SET", "doc", "{\"a\":1}");
        json.exec("EXPIRE", "doc", "100");
        assertEquals("+OK", json.exec("RENAME", "doc", "moved"));
        assertEquals("json:{\"a\":1}", json.exec("GET", "moved"));
        assertEquals(":100", json.exec("TTL", "moved"));
        assertEquals(":1", json.exec("COPY", "moved", "copied"));
        assertEquals("json:{\"a\":1}", json.exec("GETEX", "copied", "PERSIST"));
        assertEquals("json:{\"a\":1}", json.execKind(RequestBatch.VALUE_JSON, "SET", "copied", "[2]", "GET"));
        assertEquals("json:[2]", json.exec("GET", "copied"));
    }
}
