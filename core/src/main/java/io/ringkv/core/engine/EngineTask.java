package io.ringkv.core.engine;

/**
 * Background work that runs on the engine thread between requests, in bounded steps (see
 * {@link Engine#requestTask()}). Only the engine thread calls it.
 */
@FunctionalInterface
public interface EngineTask
{
    /**
     * Do one bounded step of work.
     *
     * @param nowMs the engine's cached time.
     */
    void doWork(long nowMs);
}
