package io.ringkv.net.server.command;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CommandArgumentsTest
{
    @Test
    void readsTheResourcesJsonIntoOrderedMapsListsStringsAndLongs()
    {
        final Object tree = CommandArguments.parseTree(
            " [{\"name\":\"a\\\"b\\u00e9\",\"key_spec_index\":-3,\"arguments\":[[],{}],\"flags\":[\"optional\"]}] ");
        assertEquals(List.of(Map.of("name", "a\"b\u00e9", "key_spec_index", -3L,
            "arguments", List.of(List.of(), Map.of()), "flags", List.of("optional"))), tree);
        assertEquals(List.of("name", "key_spec_index", "arguments", "flags"),
            List.copyOf(((Map<?, ?>)((List<?>)tree).get(0)).keySet()), "members keep their order");
    }

    @Test
    void refusesInvalidJsonAndKindsTheResourceNeverHas()
    {
        assertNull(CommandArguments.parseTree("[{\"a\":1}"));
        assertNull(CommandArguments.parseTree("[1] x"));
        assertThrows(IllegalArgumentException.class, () -> CommandArguments.parseTree("[true]"));
        assertThrows(IllegalArgumentException.class, () -> CommandArguments.parseTree("[1.5]"));
    }
}
