package io.ringkv.net.server;

import io.ringkv.net.server.command.ConnectionStateCommands;
import io.ringkv.net.server.config.ConfigException;
import io.ringkv.net.server.config.ConfigLoader;
import io.ringkv.net.server.config.ServerConfig;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/ringkv server [options]}: loads the configuration, starts a {@link RingkvServer}, prints the banner and
 * runs until SIGTERM, SIGINT or SHUTDOWN, then stops accepting, finishes what is in flight and exits 0.
 */
public final class ServerMain
{
    private ServerMain()
    {
    }

    public static void main(final String[] args) throws InterruptedException
    {
        final ServerConfig config = new ServerConfig();
        try
        {
            new ConfigLoader(config).load(args);
        }
        catch (final ConfigException ex)
        {
            System.err.println("ringkv: " + ex.getMessage());
            System.exit(1);
            return;
        }
        configureVirtualThreads(config);

        final ServerLog log = new ServerLog(System.out, (int)config.loglevel.number());
        final RingkvServer server = new RingkvServer(config, log);
        try
        {
            server.start();
        }
        catch (final IOException | IllegalStateException ex)
        {
            System.err.println("ringkv: " + ex.getMessage());
            System.exit(1);
            return;
        }

        banner(log, server, config);
        final CountDownLatch stopped = new CountDownLatch(1);
        final Thread hook = new Thread(() ->
        {
            log.warning("Received SIGTERM or SIGINT: shutting down.");
            server.requestShutdown();
            awaitQuietly(stopped);
            // A signal-initiated JVM exit reports 128+signal; a server that shut down cleanly exits 0, as Redis.
            System.out.flush();
            Runtime.getRuntime().halt(0);
        }, "ringkv-shutdown-hook");
        Runtime.getRuntime().addShutdownHook(hook);

        server.awaitShutdownRequest();
        startWatchdog(log, config.shutdownWatchdog.number());
        log.warning("User requested shutdown...");
        server.close();
        log.notice("ringkv is now ready to exit, bye bye...");
        stopped.countDown();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException signalled)
        {
            return; // the JVM is already exiting because of a signal: the hook halts with status 0
        }
        System.exit(0);
    }

    /**
     * Shutdown waits for the engine (to finish the batch it runs, then to stop), and a command can keep the engine
     * busy for as long as it likes (DEBUG SLEEP 1e9): past the bound the process ends anyway, with status 1, so
     * SIGTERM and SHUTDOWN always end it.
     */
    private static void startWatchdog(final ServerLog log, final long seconds)
    {
        Thread.ofPlatform().name("ringkv-shutdown-watchdog").daemon().start(() ->
        {
            try
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            log.warning("Shutdown did not finish within " + seconds + " s (ringkv-shutdown-watchdog): the engine " +
                "is still busy. Exiting now.");
            System.out.flush();
            Runtime.getRuntime().halt(1);
        });
    }

    private static void awaitQuietly(final CountDownLatch latch)
    {
        try
        {
            latch.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Run every virtual thread on as many carriers as {@code ringkv-io-threads} says (default 1) with one read poller.
     * On a small machine one carrier makes a publish to the engine and the engine's wake-up of a connection plain
     * queue operations on the same carrier instead of futex wake-ups across threads (see docs/benchmarks.md). These
     * properties only take effect before the first virtual thread starts, so they are set first thing in main.
     */
    private static void configureVirtualThreads(final ServerConfig config)
    {
        final String carriers = Long.toString(config.ioThreads.number());
        if (null == System.getProperty("jdk.virtualThreadScheduler.parallelism"))
        {
            System.setProperty("jdk.virtualThreadScheduler.parallelism", carriers);
        }
        if (null == System.getProperty("jdk.readPollers"))
        {
            System.setProperty("jdk.readPollers", "1");
        }
    }

    private static void banner(final ServerLog log, final RingkvServer server, final ServerConfig config)
    {
        final long maxMemory = config.maxmemory.number();
        log.notice("ringkv " + ConnectionStateCommands.RINGKV_VERSION + " (Redis " + ConnectionStateCommands.REDIS_VERSION +
            " compatible) starting, pid=" + ProcessHandle.current().pid() + ", JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") +
            "), " + Runtime.getRuntime().availableProcessors() + " cores");
        log.notice("Configuration: port=" + server.port() + " bind=" + config.bind.text() + " maxmemory=" +
            (maxMemory == 0 ? "unlimited" : maxMemory + " bytes") + " maxclients=" + config.maxclients.number() +
            " requirepass=" + (config.requirepass.text().isEmpty() ? "no" : "yes") + " io-threads=" +
            config.ioThreads.number() + " engine-wait-strategy=" + config.engineWaitStrategy.text() + " engine-thread=" + config.engineThread.text());
        log.notice("Ready to accept connections tcp on " + config.bind.text() + ":" + server.port());
    }
}
