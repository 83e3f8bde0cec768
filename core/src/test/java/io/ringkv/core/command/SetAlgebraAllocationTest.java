package io.ringkv.core.command;

import io.ringkv.core.store.Keyspace;
import io.ringkv.core.store.StoreConfig;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The set algebra through the dispatcher, as {@link DispatchAllocationTest} measures the string commands.
 */
class SetAlgebraAllocationTest
{
    private static final int ROUNDS = 5_000;

    /**
     * The set algebra over both encodings, SINTERCARD, and the STOREs (into a source too, logged) allocate nothing
     * once their scratch arrays have grown. (A STORE whose result is a table creates one, which, as for SADD,
     * costs the table's one Java object: per collection, never per element.)
     */
    @Test
    void setAlgebraAllocatesNothing()
    {
        final Keyspace keyspace = new Keyspace(new StoreConfig());
        try
        {
            final DispatchAllocationTest.Dispatch dispatch = new DispatchAllocationTest.Dispatch(keyspace);
            for (final String[] request : new String[][]{
                {"SADD", "i", "1", "2", "3", "4"}, {"SADD", "t", "2", "3", "x", "y"}, {"SINTER", "i", "t"},
                {"SUNION", "i", "t", "missing"}, {"SDIFF", "t", "i"}, {"SINTERCARD", "2", "i", "t", "LIMIT", "1"},
                {"SINTERSTORE", "d", "i", "t"}, {"SUNIONSTORE", "d", "d", "i"}, {"SDIFFSTORE", "d", "d", "d"},
                {"SINTER", "i", "s"}})
            {
                dispatch.add(request);
            }
            // A long warm-up: the measured rounds must not see a late compilation's deoptimization.
            dispatch.run(4 * ROUNDS);
            final long allocatedBytes = dispatch.allocatedBytes(ROUNDS);
            assertEquals(5L * ROUNDS, dispatch.table.lookup("sinterstore").calls());
            assertTrue(allocatedBytes < 4096, allocatedBytes + " bytes allocated");
        }
        finally
        {
            keyspace.close();
        }
    }
}
