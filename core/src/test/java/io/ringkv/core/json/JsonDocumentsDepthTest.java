package io.ringkv.core.json;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonDocumentsDepthTest
{
    @Test
    void deeplyNestedInputIsRefusedInsteadOfOverflowingTheStack()
    {
        // Reachable through RESTORE of a JSON payload: a recursive parser without a depth limit overflowed here.
        final JsonDocuments documents = new JsonDocuments();
        final String deep = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        final UnsafeBuffer buffer = new UnsafeBuffer(deep.getBytes(StandardCharsets.US_ASCII));
        assertEquals(JsonDocuments.INVALID, documents.compact(buffer, 0, buffer.capacity()));
        assertEquals("nesting deeper than 128 at position 640", documents.lastError());
    }

    @Test
    void theDeepestDocumentAClientCanStoreIsKept()
    {
        final JsonDocuments documents = new JsonDocuments();
        final String deepest = "{\"a\":".repeat(127) + "{}" + "}".repeat(127);
        final UnsafeBuffer buffer = new UnsafeBuffer((" " + deepest + " ").getBytes(StandardCharsets.US_ASCII));
        assertEquals(deepest.length(), documents.compact(buffer, 0, buffer.capacity()));
        assertEquals(deepest, documents.compacted().getStringWithoutLengthAscii(0, deepest.length()));
    }
}
