package io.ringkv.loadgen.cli;

/**
 * How keys are drawn from the key space; written on the command line in lower case with '-' for '_'.
 * Immutable.
 */
public enum DistributionKind
{
    /** Every key equally likely. */
    UNIFORM,
    /** Key of rank k (1-based) drawn with probability proportional to 1 / k^theta. */
    ZIPFIAN,
    /** Zipfian whose hot set moves by {@code --hot-set-shift} keys every {@code --hot-set-period}. */
    ZIPFIAN_MOVING,
    /** Zipfian interrupted every {@code --scan-period} by a scan of {@code --scan-length} never-seen keys. */
    ZIPFIAN_SCAN,
    /** Each connection walks its own stripe of the key space in order, wrapping around. */
    SEQUENTIAL;

    /**
     * @return whether keys are drawn by Zipf's law ({@code --zipf-theta} applies).
     */
    public boolean zipfian()
    {
        return this == ZIPFIAN || this == ZIPFIAN_MOVING || this == ZIPFIAN_SCAN;
    }

    /**
     * @return the name as written on the command line.
     */
    public String optionName()
    {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
