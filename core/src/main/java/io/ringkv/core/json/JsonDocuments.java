package io.ringkv.core.json;

import com.dslplatform.json.DslJson;
import com.dslplatform.json.JsonReader;
import com.dslplatform.json.JsonWriter;
import com.dslplatform.json.ObjectConverter;
import io.ringkv.core.codec.JsonScanner;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;

import java.io.IOException;

/**
 * Validates JSON documents and rewrites them in compact form (no insignificant whitespace), with DSL-JSON.
 * Numbers keep their value exactly: integers as 64-bit longs, everything else as BigDecimal (never double).
 * <p>
 * Not threadsafe: the engine thread owns one (it reuses its reader and writer). Allocates the parsed tree,
 * which is proportional to the document; JSON values are not on the RESP string hot path.
 */
public final class JsonDocuments
{
    /** Returned by {@link #compact} for input that is not exactly one JSON value. */
    public static final int INVALID = -1;

    private static final int RETAINED_CAPACITY = 1024 * 1024;

    private final DslJson<Object> dslJson = new DslJson<>(new DslJson.Settings<>()
        .unknownNumbers(JsonReader.UnknownNumberParsing.LONG_AND_BIGDECIMAL));
    private final JsonWriter writer = dslJson.newWriter(256);
    private ExpandableDirectByteBuffer compacted = new ExpandableDirectByteBuffer(256);
    private byte[] input = new byte[256];
    private String lastError = "";
    /** Validates first: DSL-JSON's reader recurses without a depth limit and overflows the stack on deep input. */
    private final JsonScanner scanner = new JsonScanner();

    /**
     * Parse {@code length} bytes as one JSON value and write its compact text to {@link #compacted()}.
     *
     * @param source buffer holding the JSON text.
     * @param offset of its first byte.
     * @param length of the text.
     * @return the compact length, or {@link #INVALID} ({@link #lastError()} then says why).
     */
    public int compact(final DirectBuffer source, final int offset, final int length)
    {
        final JsonScanner scanner = this.scanner;
        scanner.wrap(source, offset);
        if (scanner.skipValue(scanner.skipWhitespace(offset, offset + length), offset + length, 0) < 0)
        {
            lastError = scanner.errorReason() + " at position " + scanner.errorOffset();
            return INVALID;
        }
        if (input.length < length)
        {
            input = new byte[Math.max(length, input.length * 2)];
        }
        source.getBytes(offset, input, 0, length);
        try
        {
            final JsonReader<Object> reader = dslJson.newReader(input, length);
            reader.getNextToken();
            final Object value = ObjectConverter.deserializeObject(reader);
            // Only whitespace may follow the value.
            for (int i = reader.getCurrentIndex(); i < length; i++)
            {
                final byte b = input[i];
                if (b != ' ' && b != '\t' && b != '\n' && b != '\r')
                {
                    lastError = "unexpected content after the JSON value at position " + i;
                    return INVALID;
                }
            }
            writer.reset();
            dslJson.serialize(writer, value);
            final int compactLength = writer.size();
            if (compacted.capacity() > RETAINED_CAPACITY && compactLength <= RETAINED_CAPACITY)
            {
                org.agrona.BufferUtil.free(compacted.byteBuffer());
                compacted = new ExpandableDirectByteBuffer(256);
            }
            compacted.putBytes(0, writer.getByteBuffer(), 0, compactLength);
            if (input.length > RETAINED_CAPACITY)
            {
                input = new byte[256];
            }
            return compactLength;
        }
        catch (final IOException | RuntimeException ex)
        {
            final String message = ex.getMessage();
            lastError = message == null ? ex.getClass().getSimpleName() : firstLine(message);
            return INVALID;
        }
    }

    /**
     * @return the compact text of the last valid document, from index 0.
     */
    public DirectBuffer compacted()
    {
        return compacted;
    }

    /**
     * @return why the last {@link #compact} returned {@link #INVALID}.
     */
    public String lastError()
    {
        return lastError;
    }

    private static String firstLine(final String message)
    {
        final int end = message.indexOf('\n');
        String line = end < 0 ? message : message.substring(0, end);
        line = line.replace('\r', ' ');
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
