package io.ringkv.loadgen.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one invocation of the load generator was asked to do. {@link OptionParser} fills it once on the
 * main thread; afterwards it is only read, so any thread may read it after the run threads are started.
 */
public final class LoadOptions
{
    /** Main target. */
    public TargetAddress target = new TargetAddress("127.0.0.1", 6379);
    /** Wire protocol. */
    public Protocol protocol = Protocol.RESP;
    /** ACL user for AUTH, or null for the password-only form. */
    public String user;
    /** Password for AUTH, or null for no AUTH. */
    public String password;
    /** Database selected with SELECT when not 0. */
    public int db;
    /** Concurrent connections. */
    public int connections = 50;
    /** Requests written per batch on a connection. */
    public int pipeline = 1;
    /** Measured duration; ignored when {@link #requests} is positive. */
    public long durationNs = 10_000_000_000L;
    /** Total measured requests over all connections; 0 means run for {@link #durationNs}. */
    public long requests;
    /** Warm-up before measuring, excluded from the results. */
    public long warmupNs = 1_000_000_000L;
    /** Open-loop total rate in requests per second; 0 means closed loop. */
    public long ratePerSecond;
    /** Number of distinct keys. */
    public long keySpace = 100_000;
    /** Key distribution. */
    public DistributionKind distribution = DistributionKind.UNIFORM;
    /** Zipfian exponent. */
    public double zipfTheta = 0.99;
    /** Keys the hot set moves by each period ({@code zipfian-moving}); 0 means a tenth of the key space. */
    public long hotSetShift;
    /** Time between hot-set moves ({@code zipfian-moving}). */
    public long hotSetPeriodNs = 5_000_000_000L;
    /** Never-seen keys per scan over all connections ({@code zipfian-scan}); 0 means a tenth of the key space. */
    public long scanLength;
    /** Time between scans ({@code zipfian-scan}). */
    public long scanPeriodNs = 5_000_000_000L;
    /** Cache-aside: GET a key and, on a miss, SET it; the hit ratio is reported. */
    public boolean cacheAside;
    /** Prefix of every key. */
    public String keyPrefix = "key:";
    /** Total key length in bytes: the prefix then the zero-padded key number. */
    public int keyLength = 16;
    /** Smallest value size in bytes. */
    public int valueSizeMin = 64;
    /** Largest value size in bytes (equal to the minimum for a fixed size). */
    public int valueSizeMax = 64;
    /** Whether values are random bytes (false: a compressible repeating pattern). */
    public boolean randomValues = true;
    /** Command weights by command name, in the order given. */
    public final Map<String, Integer> mix = new LinkedHashMap<>(Map.of("set", 1, "get", 1));
    /** Keys per MGET. */
    public int mgetKeys = 10;
    /** Command templates as given: {@code [name=]COMMAND arg ...}. */
    public final List<String> templates = new ArrayList<>();
    /** Whether to SET every key of the key space before warm-up. */
    public boolean preload;
    /** Output directory. */
    public Path outDir = Path.of("loadgen-out");
    /** Label of the main target's results. */
    public String label = "main";
    /** Second target for an A/B comparison, or null. */
    public TargetAddress compareTarget;
    /** Label of the compare target's results. */
    public String compareLabel = "compare";
    /** Password for the compare target (defaults to {@link #password}). */
    public String comparePassword;
    /** Whether {@code --compare-password} was given. */
    public boolean comparePasswordSet;
    /** Alternating rounds per target in a comparison. */
    public int rounds = 3;
    /** TCP connect timeout. */
    public long connectTimeoutNs = 2_000_000_000L;
    /** A connection with requests outstanding and no reply for this long is abandoned. */
    public long replyTimeoutNs = 5_000_000_000L;
    /** Seed of the random streams; each connection derives its own. */
    public long seed = System.nanoTime();
    /** Whether {@code --seed} was given. */
    public boolean seedSet;
    /** Progress line every second. */
    public boolean progress = true;
    /** Summary files to overlay in chart-only mode, empty for a load run. */
    public final List<Path> chartInputs = new ArrayList<>();
    /** Whether {@code --help} was asked for. */
    public boolean help;

    /**
     * @return whether the run is open loop at a fixed rate.
     */
    public boolean openLoop()
    {
        return ratePerSecond > 0;
    }

    /**
     * @return keys the hot set moves by each period.
     */
    public long hotSetShift()
    {
        return hotSetShift > 0 ? hotSetShift : Math.max(1, keySpace / 10);
    }

    /**
     * @return never-seen keys per scan.
     */
    public long scanLength()
    {
        return scanLength > 0 ? scanLength : Math.max(1, keySpace / 10);
    }

    /**
     * @return the password used for the compare target.
     */
    public String comparePassword()
    {
        return comparePasswordSet ? comparePassword : password;
    }
}
