/**
 * RESP: the in-place request parser ({@link io.ringkv.net.resp.RespParser}, with
 * {@link io.ringkv.core.codec.InlineSplitter} for inline commands) and the RESP2/RESP3 reply encoder
 * ({@link io.ringkv.net.resp.RespReply}). Limits and error texts follow Redis 7's networking.c.
 */
package io.ringkv.net.resp;
