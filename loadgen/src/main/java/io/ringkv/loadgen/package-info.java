/**
 * The bundled load generator, {@code bin/ringkv loadgen}: a standalone RESP / JSON-lines client that loads any
 * Redis-compatible server in closed or open loop and reports HdrHistogram latency percentiles.
 * <pre>
 *   cli       options and their parsing (OptionParser renders --help from the same table)
 *   workload  keys (uniform, zipfian, sequential), values, command templates and the weighted mix
 *   protocol  request encoders and reply parsers, allocation-free over java.nio.ByteBuffer
 *   run       one virtual thread per connection (two in open loop), per-connection recorders, the coordinator
 *   report    text summary, .hgrm, summary.json, the HTML chart and the --compare ratio table
 * </pre>
 */
package io.ringkv.loadgen;
