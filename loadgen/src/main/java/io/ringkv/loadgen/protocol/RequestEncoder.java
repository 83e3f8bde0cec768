package io.ringkv.loadgen.protocol;

import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.RequestArguments;
import java.nio.ByteBuffer;

/**
 * Writes requests in one wire protocol. Implementations are stateless and must not allocate in
 * {@link #encode(ByteBuffer, int, CommandTemplate, RequestArguments)}; any thread.
 */
public interface RequestEncoder
{
    /**
     * Writes one request with its placeholders filled in.
     *
     * @param buffer    to write into; the caller guarantees room for {@link CommandTemplate#maxEncodedLength}.
     * @param index     where the request starts.
     * @param command   the command.
     * @param arguments where keys, values and random numbers come from.
     * @return the index after the request.
     */
    int encode(ByteBuffer buffer, int index, CommandTemplate command, RequestArguments arguments);

    /**
     * Writes a request of literal words (AUTH, SELECT, INFO): not a hot path.
     *
     * @param buffer to write into.
     * @param index  where the request starts.
     * @param words  command name and arguments.
     * @return the index after the request.
     */
    int encodeWords(ByteBuffer buffer, int index, String... words);
}
