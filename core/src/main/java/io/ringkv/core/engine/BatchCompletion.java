package io.ringkv.core.engine;

/**
 * What happens to a batch once the engine has executed it, for a publisher that does not wait for it: the network
 * layer implements it to write the batch's replies to the socket straight from the engine thread (see
 * {@link Engine#publish(RequestBatch, BatchCompletion)}). The engine knows nothing of sockets; it only hands the
 * executed batch over.
 * <p>
 * Called on the engine thread: an implementation must never block and must not throw; it must eventually call
 * {@link RequestBatch#finish()} (from any thread), or the connection that published the batch waits forever.
 */
@FunctionalInterface
public interface BatchCompletion
{
    /**
     * Engine thread: every request of the batch has executed and its replies are in the batch's reply encoder.
     *
     * @param batch the executed batch; owned by the implementation until it calls {@link RequestBatch#finish()}.
     */
    void executed(RequestBatch batch);
}
