/**
 * The JSON-lines protocol (docs/json-protocol.md): {@link io.ringkv.net.jsonline.JsonLineParser} turns each
 * line into a request of the batch, {@link io.ringkv.net.jsonline.JsonLineReply} writes one JSON object per reply,
 * and {@link io.ringkv.net.jsonline.JsonRequestTable} carries each request's style and id between the two.
 * Bytes that are not valid UTF-8 travel as {@code {"$base64":"..."}} in both directions.
 */
package io.ringkv.net.jsonline;
