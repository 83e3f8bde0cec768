package io.ringkv.loadgen.workload;

/**
 * Draws key numbers in {@code [0, keySpace)}. Each connection owns its own instance, so implementations are
 * not threadsafe and must not allocate in {@link #nextKey()}.
 */
public interface KeyDistribution
{
    /**
     * @return the next key number, in {@code [0, keySpace)}.
     */
    long nextKey();
}
