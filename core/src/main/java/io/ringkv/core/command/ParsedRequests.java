package io.ringkv.core.command;

import org.agrona.DirectBuffer;

/**
 * The requests a connection parsed, as commands read them: each request is a run of arguments, each argument a
 * byte slice ({@code offset}, {@code length}) of one buffer. The engine's {@code RequestBatch} and a transaction's
 * {@link QueuedCommands} implement it over the same storage ({@link RequestSlices}); this view lets commands read
 * them without depending on the engine that runs them.
 * <p>
 * Only the engine thread reads it, while it executes the requests.
 */
public interface ParsedRequests
{
    /** The value argument is raw bytes (every RESP request). */
    byte VALUE_RAW = 0;
    /** The value argument is compact JSON text of a document (JSON protocol: array, object, true, false, null, non-integer number). */
    byte VALUE_JSON = 1;
    /** The value argument is the decimal text of a JSON integer that fits in 64 bits (JSON protocol). */
    byte VALUE_INTEGER = 2;

    /**
     * @return how many requests there are.
     */
    int requestCount();

    /**
     * @return the buffer every argument is a slice of.
     */
    DirectBuffer argBuffer();

    /**
     * @param requestIndex index of a request.
     * @return index of its first argument (the command name).
     */
    int firstArg(int requestIndex);

    /**
     * @param requestIndex index of a request.
     * @return how many arguments it has, its name included.
     */
    int argCount(int requestIndex);

    /**
     * @param requestIndex index of a request.
     * @return how its value argument is to be stored: {@link #VALUE_RAW}, {@link #VALUE_JSON} or
     * {@link #VALUE_INTEGER}.
     */
    byte valueKind(int requestIndex);

    /**
     * @param argIndex index of an argument across all requests.
     * @return its offset in {@link #argBuffer()}.
     */
    int argOffset(int argIndex);

    /**
     * @param argIndex index of an argument across all requests.
     * @return its length.
     */
    int argLength(int argIndex);
}
