package io.ringkv.replication.replica.resp;

import io.ringkv.core.engine.Engine;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Loads an RDB file through the engine as the master link's client (the server passes persistence's RdbLoader:
 * replication's root package, which builds the links, may not depend on persistence, which depends on it).
 */
@FunctionalInterface
public interface RdbFileLoader
{
    /**
     * @return keys in the file.
     * @throws IOException when the file is refused half way; the keyspace then holds part of it.
     */
    long load(Engine engine, int databases, Path file) throws IOException;
}
