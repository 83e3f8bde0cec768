package io.ringkv.net.jsonline;

import org.agrona.DirectBuffer;

import java.util.Arrays;

/**
 * What the JSON-lines reply needs to know about each request of a batch, indexed like the batch: its style
 * (seed-style named fields or the generic {@code args} form) and the raw JSON text of its {@code "id"}.
 * <p>
 * The connection thread fills it while parsing; the engine thread reads it while the batch executes (the ring's
 * publish orders the two). Not threadsafe otherwise.
 */
public final class JsonRequestTable
{
    /** {@code {"cmd":"<NAME>","args":[...]}}: every reply is {@code {"value":...}}. */
    public static final byte STYLE_GENERIC = 0;
    /** Seed-style named fields: an OK reply is {@code {}}, as the seeds answer. */
    public static final byte STYLE_SEED = 1;

    private DirectBuffer idBuffer;
    private int count;
    private byte[] styles = new byte[16];
    private int[] idOffsets = new int[16];
    private int[] idLengths = new int[16];

    /**
     * Start a new batch.
     *
     * @param idBuffer buffer holding the ids' text (the parser's scratch).
     */
    public void reset(final DirectBuffer idBuffer)
    {
        this.idBuffer = idBuffer;
        count = 0;
    }

    /**
     * Describe the next request.
     *
     * @param style    {@link #STYLE_GENERIC} or {@link #STYLE_SEED}.
     * @param idOffset of the id's JSON text in {@link #idBuffer()}.
     * @param idLength of the id's JSON text; 0 when the request has no id.
     */
    public void add(final byte style, final int idOffset, final int idLength)
    {
        if (count == styles.length)
        {
            styles = Arrays.copyOf(styles, count * 2);
            idOffsets = Arrays.copyOf(idOffsets, count * 2);
            idLengths = Arrays.copyOf(idLengths, count * 2);
        }
        styles[count] = style;
        idOffsets[count] = idOffset;
        idLengths[count] = idLength;
        count++;
    }

    public int count()
    {
        return count;
    }

    public DirectBuffer idBuffer()
    {
        return idBuffer;
    }

    public byte style(final int requestIndex)
    {
        return styles[requestIndex];
    }

    public int idOffset(final int requestIndex)
    {
        return idOffsets[requestIndex];
    }

    public int idLength(final int requestIndex)
    {
        return idLengths[requestIndex];
    }
}
