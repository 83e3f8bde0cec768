package io.ringkv.core.memory;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What the process really holds, for INFO memory: its resident set as the kernel counts it (what Redis reports as
 * {@code used_memory_rss}), and the JVM's share of it beyond the store: heap, metaspace and code, direct buffers,
 * engine buffers (the connections' buffers are counted by the server). Threadsafe; each call reads the figures afresh.
 */
public final class ProcessMemory
{
    private static final Path STATUS = Path.of("/proc/self/status");

    private ProcessMemory()
    {
    }

    /**
     * @return resident set size in bytes ({@code VmRSS} of /proc/self/status), or 0 where there is no /proc.
     */
    public static long residentBytes()
    {
        try
        {
            for (final String line : Files.readAllLines(STATUS, StandardCharsets.US_ASCII))
            {
                if (line.startsWith("VmRSS:"))
                {
                    final String kb = line.substring("VmRSS:".length()).trim();
                    return Long.parseLong(kb.substring(0, kb.indexOf(' '))) * 1024;
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // Not Linux, or /proc not mounted: report nothing rather than a guess.
        }
        return 0;
    }

    /**
     * @return bytes of heap the JVM has committed (taken from the system).
     */
    public static long heapCommittedBytes()
    {
        return memoryBean().getHeapMemoryUsage().getCommitted();
    }

    /**
     * @return bytes of heap in use, garbage not yet collected included.
     */
    public static long heapUsedBytes()
    {
        return memoryBean().getHeapMemoryUsage().getUsed();
    }

    /**
     * @return bytes committed for everything else the JVM manages: metaspace, compressed class space, code cache.
     */
    public static long nonHeapCommittedBytes()
    {
        long committed = 0;
        for (final MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans())
        {
            if (pool.getType() == MemoryType.NON_HEAP)
            {
                committed += pool.getUsage().getCommitted();
            }
        }
        return committed;
    }

    /**
     * @return bytes of direct {@link java.nio.ByteBuffer}s (connection buffers, replication backlog and snapshot
     * buffers), bounded by {@code -XX:MaxDirectMemorySize}.
     */
    public static long directBufferBytes()
    {
        final List<BufferPoolMXBean> pools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
        for (final BufferPoolMXBean pool : pools)
        {
            if ("direct".equals(pool.getName()))
            {
                return pool.getMemoryUsed();
            }
        }
        return 0;
    }

    /**
     * @return bytes of the engine's change areas and scratch space (malloc, outside the direct buffers).
     */
    public static long engineBufferBytes()
    {
        return ExpandableOffHeapBuffer.allocatedBytes();
    }

    private static MemoryMXBean memoryBean()
    {
        return ManagementFactory.getMemoryMXBean();
    }
}
