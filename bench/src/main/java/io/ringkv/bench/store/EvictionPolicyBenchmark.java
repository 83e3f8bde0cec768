package io.ringkv.bench.store;

import io.ringkv.core.store.EvictionPolicy;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What each eviction policy adds to the store's hot paths: a GET hit and an overwrite (each updates the access
 * field, and under allkeys-tinylfu the frequency sketch too) on a store within its budget, and a SET of a new key
 * into a full store (makeRoom evicts one key, chosen by the policy, then the put). Keys fit in the CPU caches at
 * 10,000 so the policies' own work shows; at 1,000,000 the lookups' cache misses dominate, as in a real server.
 * <pre>
 *   benchmark thread --find / put / makeRoom+put--> Keyspace (policy) --> FrequencySketch (tinylfu only)
 * </pre>
 * Run: {@code java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main EvictionPolicyBenchmark
 * -prof gc} (goal: 0 B/op, and the same get/put time for allkeys-lru and allkeys-lfu as before the sketch).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgs = {
    "-Xmx1g", "-XX:+UseZGC", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class EvictionPolicyBenchmark
{
    @Param({ "allkeys-lru", "allkeys-lfu", "allkeys-tinylfu" })
    public String policy;

    @Param({ "10000", "1000000" })
    public int keys;

    private final StoreLoad load = new StoreLoad();
    private Keyspace keyspace;
    private long nextNewKey;

    @Setup(Level.Trial)
    public void setup()
    {
        keyspace = new Keyspace(new StoreConfig());
        keyspace.evictionPolicy(EvictionPolicy.byName(policy));
        keyspace.clock(StoreLoad.NOW_MS);
        load.fill(keyspace, keys);
        keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() + 4096);
        nextNewKey = keys;
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        keyspace.close();
    }

    /**
     * @return address of a random existing key (GET hit).
     */
    @Benchmark
    public long get()
    {
        return keyspace.find(0, load.key(nextIndex()), 0, StoreLoad.KEY_LENGTH, StoreLoad.NOW_MS);
    }

    /**
     * Overwrite a random key in place (SET of an existing key).
     */
    @Benchmark
    public long put()
    {
        return load.put(keyspace, nextIndex());
    }

    /**
     * SET a key never seen into the full store: evict one key by the policy, then insert.
     */
    @Benchmark
    public long evictingSet()
    {
        keyspace.makeRoom(StoreLoad.NOW_MS);
        return load.put(keyspace, nextNewKey++);
    }

    private long nextIndex()
    {
        return load.randomIndex(keys);
    }
}
