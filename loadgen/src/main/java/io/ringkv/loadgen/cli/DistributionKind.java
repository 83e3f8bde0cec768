package io.ringkv.loadgen.cli;

/**
 * How keys are drawn from the key space. Immutable.
 */
public enum DistributionKind
{
    /** Every key equally likely. */
    UNIFORM,
    /** Key of rank k (1-based) drawn with probability proportional to 1 / k^theta. */
    ZIPFIAN,
    /** Each connection walks its own stripe of the key space in order, wrapping around. */
    SEQUENTIAL
}
