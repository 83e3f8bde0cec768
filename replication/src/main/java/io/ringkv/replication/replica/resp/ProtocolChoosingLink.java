package io.ringkv.replication.replica.resp;

import io.ringkv.replication.replica.MasterLink;
import io.ringkv.replication.replica.ReplicaLink;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code replica-protocol auto}: asks the master what it is ({@link MasterProtocolProbe}, once it answers), then
 * runs the JSON {@link MasterLink} for a ringkv master or a {@link RedisMasterLink} for any other, and reports
 * that link's state from then on ("connecting" until then). Getters from any thread; {@link #stop()} returns at
 * once.
 */
public final class ProtocolChoosingLink implements ReplicaLink
{
    private final String host;
    private final int port;
    private final MasterLink jsonLink;
    private final Supplier<RedisMasterLink> respLink;
    private final MasterCredentials credentials;
    private final Consumer<String> log;
    private volatile boolean running = true;
    private volatile ReplicaLink chosen;
    private volatile long lastIoMs;
    private volatile String probeError;
    private Thread thread;

    /**
     * @param jsonLink the link for a ringkv master, built and not started.
     * @param respLink makes the link for a Redis master.
     */
    ProtocolChoosingLink(final String host, final int port, final MasterLink jsonLink,
        final Supplier<RedisMasterLink> respLink, final MasterCredentials credentials, final Consumer<String> log)
    {
        this.host = host;
        this.port = port;
        this.jsonLink = jsonLink;
        this.respLink = respLink;
        this.credentials = credentials;
        this.log = log;
    }

    /**
     * The link for {@code protocol}: the JSON link for "json", a Redis-protocol link for "resp", else (auto) one
     * that asks the master first.
     *
     * @param protocol replica-protocol: auto, json or resp.
     * @param jsonLink the JSON link, built and not started.
     * @param respLink makes a Redis-protocol link.
     */
    public static ReplicaLink forProtocol(final String protocol, final String host, final int port,
        final MasterLink jsonLink, final Supplier<RedisMasterLink> respLink, final MasterCredentials credentials,
        final Consumer<String> log)
    {
        return switch (protocol)
        {
            case "json" -> jsonLink;
            case "resp" -> respLink.get();
            default -> new ProtocolChoosingLink(host, port, jsonLink, respLink, credentials, log);
        };
    }

    /**
     * @return the JSON link unless a Redis master was found (then null): tests and tools that drive the JSON link.
     */
    public MasterLink jsonLink()
    {
        return chosen instanceof RedisMasterLink ? null : jsonLink;
    }

    /**
     * @return the link in use, or null while the master has not been asked yet.
     */
    public ReplicaLink chosen()
    {
        return chosen;
    }

    @Override
    public void start()
    {
        thread = Thread.ofVirtual().name("ringkv-master-probe-" + host + ":" + port).start(this::choose);
    }

    private void choose()
    {
        while (running)
        {
            try
            {
                final boolean ringkv = MasterProtocolProbe.isRingkv(host, port, credentials);
                lastIoMs = System.currentTimeMillis();
                final ReplicaLink link = ringkv ? jsonLink : respLink.get();
                log.accept("MASTER " + host + ":" + port + " is " + (ringkv ? "a ringkv server: JSON replication" :
                    "not a ringkv server: Redis's replication protocol"));
                chosen = link;
                if (running)
                {
                    link.start();
                }
                else
                {
                    link.stop();
                }
                return;
            }
            catch (final IOException | RuntimeException ex)
            {
                probeError = "cannot ask the master what it is: " + ex.getMessage();
                log.accept("MASTER <-> REPLICA link to " + host + ":" + port + ": " + probeError);
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(RedisMasterLink.RETRY_DELAY_MS));
        }
    }

    @Override
    public void stop()
    {
        running = false;
        final ReplicaLink link = chosen;
        if (link != null)
        {
            link.stop();
        }
        final Thread thread = this.thread;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void join(final long timeoutMs) throws InterruptedException
    {
        final Thread thread = this.thread;
        if (thread != null)
        {
            thread.join(timeoutMs);
        }
        final ReplicaLink link = chosen;
        if (link != null)
        {
            link.join(timeoutMs);
        }
    }

    @Override
    public String host()
    {
        return host;
    }

    @Override
    public int port()
    {
        return port;
    }

    @Override
    public String linkStatus()
    {
        final ReplicaLink link = chosen;
        return link == null ? "connecting" : link.linkStatus();
    }

    @Override
    public long lastIoMs()
    {
        final ReplicaLink link = chosen;
        return link == null ? lastIoMs : link.lastIoMs();
    }

    @Override
    public String replid()
    {
        final ReplicaLink link = chosen;
        return link == null ? jsonLink.replid() : link.replid();
    }

    @Override
    public long offset()
    {
        final ReplicaLink link = chosen;
        return link == null ? jsonLink.offset() : link.offset();
    }

    @Override
    public String lastError()
    {
        final ReplicaLink link = chosen;
        return link == null ? probeError : link.lastError();
    }

    @Override
    public boolean syncInProgress()
    {
        final ReplicaLink link = chosen;
        return link != null && link.syncInProgress();
    }

    @Override
    public boolean offsetsAreRecords()
    {
        final ReplicaLink link = chosen;
        return link == null || link.offsetsAreRecords();
    }
}
