/**
 * Memory that the process gives back as soon as it is done with it: buffers that free what they give up
 * explicitly rather than leaving it to a garbage collection, and the process's own view of what it holds.
 */
package io.ringkv.core.memory;
