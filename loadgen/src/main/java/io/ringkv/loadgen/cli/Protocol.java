package io.ringkv.loadgen.cli;

/**
 * Wire protocol spoken to the target. Immutable.
 */
public enum Protocol
{
    /** RESP2 requests (arrays of bulk strings); RESP2 and RESP3 replies are parsed. */
    RESP,
    /** JSON lines: one JSON object per request and per reply, each ended by a newline. */
    JSON
}
