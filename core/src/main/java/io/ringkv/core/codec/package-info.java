/**
 * Byte-level text codecs shared by every protocol: strict UTF-8 validation ({@link io.ringkv.core.codec.Utf8}),
 * base64 ({@link io.ringkv.core.codec.Base64}), JSON string escaping and unescaping
 * ({@link io.ringkv.core.codec.JsonString}), the rule for byte strings in JSON ({@link io.ringkv.core.codec.JsonBytes})
 * and one validating JSON reader ({@link io.ringkv.core.codec.JsonScanner}, with
 * {@link io.ringkv.core.codec.JsonObjectCursor} to walk an object's members).
 * <p>
 * They live in {@code core} because both the JSON-lines protocol ({@code net}) and the replication stream
 * ({@code replication}) read and write the same JSON data model (docs/json-protocol.md: valid UTF-8 travels as a
 * JSON string, other bytes as {@code {"$base64":"..."}}), and {@code core} is the one module both depend on
 * (core &lt;- replication &lt;- net). Nothing here knows sockets, the store or the engine: each class works on
 * Agrona buffers given by the caller, so it fits {@code core}'s rule and any thread can use it.
 * <p>
 * Hot paths (every JSON-lines request and reply, every replicated change) go through these classes, so none of
 * them allocates on valid input: the reader never builds a tree, and errors keep a reason constant and an index.
 */
package io.ringkv.core.codec;
