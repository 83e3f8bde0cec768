/**
 * What both wire protocols share: the connection's {@link io.ringkv.net.codec.ReadBuffer} and
 * {@link io.ringkv.net.codec.ReplyBuffer}, the {@link io.ringkv.net.codec.RequestParser} contract, and Redis's
 * double formatting.
 * <p>
 * A connection (one virtual thread) drives them like this; nothing in the loop allocates per request:
 * <pre>
 *   parser = first byte == '{' ? new JsonLineParser(table) : new RespParser(protoMaxBulkLen);
 *   while (open)
 *   {
 *       if (readBuffer.readFrom(channel) &lt; 0) break;                 // blocking read after what is kept
 *       int start = 0;
 *       while (true)
 *       {
 *           parser.batchRequestLimit(limit);                         // long pipelines run in slices
 *           int status = parser.parse(readBuffer.buffer(), start, readBuffer.limit(), batch);
 *           if (batch.requestCount() &gt; 0) engine.execute(batch);     // publish, await completion: replies
 *                                                                    // are now in the ReplyBuffer
 *           // after QUIT: stop here; if the ReplyBuffer passed its threshold: write it out now
 *           if (status == PARSE_AGAIN) { start = parser.consumed(); continue; }
 *           if (status == LINE_ERROR)                                // JSON: answer the line, go on
 *           {
 *               jsonReply.lineError(parser.errorText(), parser.scratch(), parser.errorIdOffset(),
 *                   parser.errorIdLength());
 *               start = parser.consumed();
 *               continue;
 *           }
 *           if (status == PROTOCOL_ERROR)                            // RESP: answer, flush, close
 *           {
 *               respReply.error(parser.errorText()); output.writeTo(channel); close(); return;
 *           }
 *           break;                                                   // OK
 *       }
 *       output.writeTo(channel);                                     // one flush for the whole batch
 *       readBuffer.compact(parser.consumed());                       // keep only the pending request
 *       if (readBuffer.ensureRoom(parser.requiredLength()) == QUERY_BUFFER_LIMIT_EXCEEDED)
 *       {
 *           close(); return;                                         // Redis closes silently too
 *       }
 *       // optionally, when idle: readBuffer.shrinkIfEmpty(); output.shrinkIfEmpty();
 *   }
 * </pre>
 * The read buffer must not change while a batch executes (arguments are slices of it), which the loop
 * guarantees: it compacts and grows only after {@code engine.execute} returned.
 */
package io.ringkv.net.codec;
