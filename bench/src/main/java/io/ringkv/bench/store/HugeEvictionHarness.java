package io.ringkv.bench.store;

import io.ringkv.core.store.EntryFlyweight;
import io.ringkv.core.store.EvictionPolicy;
import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import io.ringkv.core.store.ValueEncoding;
import io.ringkv.core.store.ValueType;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * How long the engine waits when eviction removes one huge value: stores a 100 MiB value (every page touched, as a
 * SET would), lowers the budget below it and times the {@code makeRoom} call that evicts it. Args:
 * {@code [rounds] [valueMiB]}. Single threaded; run it on a quiet machine.
 */
public final class HugeEvictionHarness
{
    private HugeEvictionHarness()
    {
    }

    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final int length = (args.length > 1 ? Integer.parseInt(args[1]) : 100) * 1024 * 1024;
        final UnsafeBuffer key = new UnsafeBuffer("huge".getBytes(StandardCharsets.US_ASCII));
        final EntryFlyweight entry = new EntryFlyweight();
        try (Keyspace keyspace = new Keyspace(new StoreConfig()))
        {
            keyspace.evictionPolicy(EvictionPolicy.ALLKEYS_LRU);
            keyspace.evictionTenacity(100);
            long worstNs = 0;
            for (int round = 0; round < rounds; round++)
            {
                keyspace.maxMemoryBytes(0);
                final long address = keyspace.put(0, key, 0, key.capacity(), ValueType.STRING,
                    ValueEncoding.STRING_RAW, length, Keyspace.NO_EXPIRY);
                entry.wrap(address).buffer().setMemory(entry.valueOffset(), length, (byte)'v');
                keyspace.maxMemoryBytes(keyspace.evictableUsedBytes() - 1);
                final long startNs = System.nanoTime();
                keyspace.makeRoom(System.currentTimeMillis());
                final long elapsedNs = System.nanoTime() - startNs;
                worstNs = Math.max(worstNs, elapsedNs);
                System.out.printf("round %d: evicting %d MiB took %.3f ms (%d keys left)%n", round, length >> 20,
                    elapsedNs / 1e6, keyspace.size(0));
            }
            System.out.printf("worst: %.3f ms%n", worstNs / 1e6);
        }
    }
}
