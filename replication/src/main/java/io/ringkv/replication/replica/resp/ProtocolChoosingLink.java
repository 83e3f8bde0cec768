package io.ringkv.replication.replica.resp;

import io.ringkv.replication.replica.MasterLink;
import io.ringkv.replication.replica.ReconnectingLink;
import io.ringkv.replication.replica.ReplicaLink;

import java.io.IOException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * {@code replica-protocol auto}: asks the master what it is ({@link MasterProtocolProbe}, once it answers), then
 * runs the JSON {@link MasterLink} for a ringkv master or a {@link RedisMasterLink} for any other, and reports
 * that link's state from then on ("connecting" until then). Getters from any thread; {@link #stop()} returns at
 * once.
 */
public final class ProtocolChoosingLink extends ReconnectingLink
{
    private final MasterLink jsonLink;
    private final Supplier<RedisMasterLink> respLink;
    private final MasterCredentials credentials;
    private volatile ReplicaLink chosen;

    /**
     * @param jsonLink the link for a ringkv master, built and not started.
     * @param respLink makes the link for a Redis master.
     */
    ProtocolChoosingLink(final String host, final int port, final MasterLink jsonLink,
        final Supplier<RedisMasterLink> respLink, final MasterCredentials credentials, final Consumer<String> log)
    {
        super(host, port, "ringkv-master-probe-", RedisMasterLink.RETRY_DELAY_MS, log);
        this.jsonLink = jsonLink;
        this.respLink = respLink;
        this.credentials = credentials;
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

    /**
     * Ask the master once it answers (a failure is logged and asked again), start the link for it, then wait for
     * {@link #stop()}, which stops that link too.
     */
    @Override
    protected void serve() throws IOException
    {
        if (chosen != null)
        {
            LockSupport.park(this);
            return;
        }
        linkStatus = "connecting";
        final boolean ringkv;
        try
        {
            ringkv = MasterProtocolProbe.isRingkv(host(), port(), credentials);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot ask the master what it is: " + ex.getMessage(), ex);
        }
        lastIoMs = System.currentTimeMillis();
        final ReplicaLink link = ringkv ? jsonLink : respLink.get();
        log.accept("MASTER " + host() + ":" + port() + " is " + (ringkv ? "a ringkv server: JSON replication" :
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
    }

    @Override
    protected void closeConnection()
    {
        final ReplicaLink link = chosen;
        if (link != null && !running)
        {
            link.stop();
        }
    }

    @Override
    public void disconnect()
    {
        final ReplicaLink link = chosen;
        if (link != null)
        {
            link.disconnect();
        }
    }

    @Override
    public void join(final long timeoutMs) throws InterruptedException
    {
        super.join(timeoutMs);
        final ReplicaLink link = chosen;
        if (link != null)
        {
            link.join(timeoutMs);
        }
    }

    @Override
    public String linkStatus()
    {
        final ReplicaLink link = chosen;
        return link == null ? super.linkStatus() : link.linkStatus();
    }

    @Override
    public long lastIoMs()
    {
        final ReplicaLink link = chosen;
        return link == null ? super.lastIoMs() : link.lastIoMs();
    }

    @Override
    public String lastError()
    {
        final ReplicaLink link = chosen;
        return link == null ? super.lastError() : link.lastError();
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
