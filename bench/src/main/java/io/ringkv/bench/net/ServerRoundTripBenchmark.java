package io.ringkv.bench.net;

import io.ringkv.bench.LockstepClients;
import io.ringkv.net.server.RingkvServer;
import io.ringkv.net.server.ServerLog;
import io.ringkv.net.server.config.ServerConfig;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real server in this JVM and clients on loopback sockets, one GET or SET per round trip (pipeline 1): the whole
 * request path including the sockets, the virtual threads and the engine's non-blocking reply write. The clients are
 * virtual threads on the server's one carrier and allocate nothing themselves (direct buffers, requests encoded
 * once), so {@code -prof gc}'s B/op is what one request costs the server's side of the JVM, the JDK's virtual-thread
 * machinery included (scheduler tasks per unpark, the poller's registrations). Times mix client and server work and
 * are not a server capacity figure (the load generator measures that, docs/benchmarks.md).
 * <pre>
 *   bin/ringkv bench ServerRoundTripBenchmark -prof gc -f 1 -wi 2 -i 3
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
// jvmArgsPrepend: bin/ringkv bench passes its own -jvmArgsAppend, which replaces an annotation's jvmArgsAppend.
@Fork(value = 1, jvmArgsPrepend = {"--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "-XX:+UseSerialGC", "-Djdk.virtualThreadScheduler.parallelism=1", "-Djdk.readPollers=1"})
@State(Scope.Benchmark)
public class ServerRoundTripBenchmark
{
    static final int ROUND_TRIPS = 4096;

    /** Client connections; each runs ROUND_TRIPS / connections round trips per invocation. */
    @Param({"1", "16"})
    public int connections;

    @Param({"GET", "SET"})
    public String command;

    private RingkvServer server;
    private SocketChannel[] channels;
    private LockstepClients clients;

    @Setup(Level.Trial)
    public void setUp() throws IOException
    {
        final ServerConfig config = new ServerConfig();
        final String error = config.setAll(List.of("port", "0", "bind", "127.0.0.1"), false);
        if (null != error)
        {
            throw new IllegalStateException(error);
        }
        server = new RingkvServer(config, new ServerLog(new PrintStream(OutputStream.nullOutputStream()),
            ServerLog.WARNING));
        server.start();
        channels = new SocketChannel[connections];
        final ByteBuffer[] requests = new ByteBuffer[connections];
        final int replyLength = "GET".equals(command) ? "$5\r\nvalue\r\n".length() : "+OK\r\n".length();
        final int roundTrips = ROUND_TRIPS / connections;
        for (int c = 0; c < connections; c++)
        {
            final SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()));
            channel.socket().setTcpNoDelay(true);
            final String key = "key:" + c;
            final String request = "GET".equals(command) ?
                "*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n" :
                "*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$5\r\nvalue\r\n";
            roundTrip(channel, encode("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$5\r\nvalue\r\n"),
                ByteBuffer.allocateDirect(64), 5);
            channels[c] = channel;
            requests[c] = encode(request);
        }
        clients = new LockstepClients(connections, c ->
        {
            final SocketChannel channel = channels[c];
            final ByteBuffer request = requests[c];
            final ByteBuffer reply = ByteBuffer.allocateDirect(64);
            return () ->
            {
                for (int i = 0; i < roundTrips; i++)
                {
                    roundTrip(channel, request, reply, replyLength);
                }
            };
        });
    }

    private static ByteBuffer encode(final String request)
    {
        final byte[] bytes = request.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
    }

    private static void roundTrip(final SocketChannel channel, final ByteBuffer request, final ByteBuffer reply,
        final int replyLength) throws IOException
    {
        request.rewind();
        while (request.hasRemaining())
        {
            channel.write(request);
        }
        reply.clear().limit(replyLength);
        while (reply.hasRemaining())
        {
            if (channel.read(reply) < 0)
            {
                throw new IOException("server closed");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException, IOException
    {
        clients.close();
        for (final SocketChannel channel : channels)
        {
            channel.close();
        }
        server.close();
    }

    @Benchmark
    @OperationsPerInvocation(ROUND_TRIPS)
    public void roundTrip()
    {
        clients.runRound();
    }
}
