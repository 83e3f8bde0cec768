package io.ringkv.core.command;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * A BCAST prefix (Redis's bcastState): the clients that registered it, and the keys with that prefix changed since
 * the last broadcast, in byte order, each with the client that changed it last (for NOLOOP; null for expiry,
 * eviction and the like). Only the engine thread uses it.
 */
final class BcastPrefix
{
    final byte[] prefix;
    final List<Tracker> clients = new ArrayList<>();
    final TreeMap<byte[], ClientSession> changed = new TreeMap<>(Arrays::compareUnsigned);

    BcastPrefix(final byte[] prefix)
    {
        this.prefix = prefix;
    }
}
