package io.ringkv.net.server;

import io.ringkv.net.server.config.ServerConfig;

import java.net.InetAddress;

/**
 * What a newly accepted client may do, decided once from its peer address and the configuration, as Redis decides
 * it when it accepts a client: protected mode refuses a non-loopback client while no password is set, and
 * {@code enable-debug-command} says whether the client may run DEBUG. Pure functions, so the decisions on
 * non-loopback addresses are testable without such an address.
 */
public final class ClientAdmission
{
    /** Redis 7.0.15's refusal in protected mode, byte for byte (its typo included), sent before closing. */
    public static final String DENIED = "-DENIED Redis is running in protected mode because protected mode is " +
        "enabled and no password is set for the default user. In this mode connections are only accepted from the " +
        "loopback interface. If you want to connect from external computers to Redis you may adopt one of the " +
        "following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' " +
        "from the loopback interface by connecting to Redis from the same host the server is running, however MAKE " +
        "SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change " +
        "permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration " +
        "file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the " +
        "server manually just for testing, restart it with the '--protected-mode no' option. 4) Setup a an " +
        "authentication password for the default user. NOTE: You only need to do one of the above things in order " +
        "for the server to start accepting connections from the outside.\r\n";

    /** enable-debug-command's choices, in the option's order. */
    static final int DEBUG_NO = 0;
    static final int DEBUG_YES = 1;
    static final int DEBUG_LOCAL = 2;

    private ClientAdmission()
    {
    }

    /**
     * @param peer the client's address, or null when unknown (treated as not local).
     * @return true for a local client: a loopback address, as Redis's connIsLocal (IPv4-mapped loopback included).
     */
    public static boolean isLocal(final InetAddress peer)
    {
        return null != peer && peer.isLoopbackAddress();
    }

    /**
     * Redis's clientAcceptHandler: the check runs per connection, so it follows CONFIG SET requirepass and
     * protected-mode at once.
     *
     * @param config the current configuration.
     * @param local  whether the client is local ({@link #isLocal(InetAddress)} of its address).
     * @return true when protected mode refuses this client.
     */
    public static boolean deniedByProtectedMode(final ServerConfig config, final boolean local)
    {
        return config.protectedMode.isYes() && config.requirepass.text().isEmpty() && !local;
    }

    /**
     * @param config the configuration (enable-debug-command cannot change at run time).
     * @param local  whether the client is local ({@link #isLocal(InetAddress)} of its address).
     * @return true when the client may run DEBUG: {@code yes}, or {@code local} and a local client.
     */
    public static boolean debugAllowed(final ServerConfig config, final boolean local)
    {
        final long mode = config.enableDebugCommand.number();
        return mode == DEBUG_YES || (mode == DEBUG_LOCAL && local);
    }
}
