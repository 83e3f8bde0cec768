package io.ringkv.bench.store;

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
 * Single-threaded get/put/delete cost of the off-heap store at 1M and 10M keys of 16-byte keys and 32-byte values,
 * keys picked uniformly at random (so at 10M most lookups miss the CPU caches, as in a real cache server).
 * <pre>
 *   benchmark thread --find/put/delete--> Keyspace (db 0) --> OffHeapTable buckets --> entry blocks
 * </pre>
 * Run: {@code java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main OffHeapTableBenchmark
 * -prof gc} (goal: 0 B/op).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {
    "-Xmx1g", "-XX:+UseZGC", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class OffHeapTableBenchmark
{
    @Param({ "1000000", "10000000" })
    public int keys;

    private final StoreLoad load = new StoreLoad();
    private Keyspace keyspace;

    @Setup(Level.Trial)
    public void setup()
    {
        keyspace = new Keyspace(new StoreConfig());
        load.fill(keyspace, keys);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        keyspace.close();
    }

    /**
     * @return address of a random existing key.
     */
    @Benchmark
    public long get()
    {
        return keyspace.find(0, load.key(nextIndex()), 0, StoreLoad.KEY_LENGTH, StoreLoad.NOW_MS);
    }

    /**
     * @return address of a random key that does not exist.
     */
    @Benchmark
    public long getMiss()
    {
        return keyspace.find(0, load.key(keys + nextIndex()), 0, StoreLoad.KEY_LENGTH, StoreLoad.NOW_MS);
    }

    /**
     * Overwrite a random existing key with a new 32-byte value (SET of an existing key: in place).
     */
    @Benchmark
    public long put()
    {
        return load.put(keyspace, nextIndex());
    }

    /**
     * Delete a random existing key and insert it again, so the table size stays constant; delete alone costs about
     * this minus {@link #put()} plus an allocation.
     */
    @Benchmark
    public long deleteAndInsert()
    {
        final long index = nextIndex();
        keyspace.delete(0, load.key(index), 0, StoreLoad.KEY_LENGTH);
        return load.put(keyspace, index);
    }

    private long nextIndex()
    {
        return load.randomIndex(keys);
    }
}
