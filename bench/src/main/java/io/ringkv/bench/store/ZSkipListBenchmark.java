package io.ringkv.bench.store;

import io.ringkv.core.store.ElementTables;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ZSkipList;
import org.agrona.concurrent.UnsafeBuffer;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The large sorted set's structure alone (an element table plus the {@link ZSkipList} threaded through its blocks),
 * single-threaded, members {@code member:%012d} picked uniformly at random: the member-to-score lookup (the
 * table), a score change that moves the member (ZADD/ZINCRBY of an existing member: unlink, relink), ZRANK (rank of
 * a member), ZRANGE's seek (element at a rank), and an insert plus delete of a new member (ZADD then ZREM).
 * Run: {@code java -cp "bench/target/classes:bench/target/lib/*" org.openjdk.jmh.Main ZSkipListBenchmark -prof gc}
 * (goal: 0 B/op). docs/storage.md says what the figures decided.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgs = {
    "-Xmx1g", "-XX:+UseZGC", "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED" })
public class ZSkipListBenchmark
{
    @Param({ "1000", "1000000" })
    public int members;

    private Keyspace keyspace;
    private ElementTables tables;
    private ZSkipList skipList;
    private int id;
    private final UnsafeBuffer member = new UnsafeBuffer(new byte[19]);
    private final SplittableRandom random = new SplittableRandom(42);
    private long extra;

    @Setup(Level.Trial)
    public void setup()
    {
        keyspace = new Keyspace(new StoreConfig());
        tables = keyspace.elementTables();
        skipList = tables.skipList();
        id = tables.createSorted();
        for (int i = 0; i < members; i++)
        {
            name(i);
            skipList.insert(id, member, 0, member.capacity(), random.nextDouble() * members);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        keyspace.close();
    }

    private void name(final long i)
    {
        member.putStringWithoutLengthAscii(0, "member:");
        long v = i;
        for (int p = 18; p >= 7; p--)
        {
            member.putByte(p, (byte)('0' + v % 10));
            v /= 10;
        }
    }

    private long randomElement()
    {
        name(random.nextInt(members));
        return tables.find(id, member, 0, member.capacity());
    }

    @Benchmark
    public double scoreLookup()
    {
        return ZSkipList.score(randomElement());
    }

    @Benchmark
    public long updateScore()
    {
        final long element = randomElement();
        skipList.updateScore(id, element, random.nextDouble() * members);
        return element;
    }

    @Benchmark
    public long rank()
    {
        return skipList.rank(id, randomElement());
    }

    @Benchmark
    public long elementAtRank()
    {
        return skipList.elementAt(id, random.nextInt(members));
    }

    @Benchmark
    public long insertThenDelete()
    {
        name(members + (extra++ % 1000));
        final long element = skipList.insert(id, member, 0, member.capacity(), random.nextDouble() * members);
        skipList.delete(id, element);
        return element;
    }
}
