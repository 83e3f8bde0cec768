package io.ringkv.core.script;

import party.iroiro.luajava.Lua;

/**
 * The Java side of a script environment's functions ({@code redis.call}, {@code redis.pcall}, the interrupt hook...),
 * as {@link LuaRuntime} calls them. The engine's {@link ScriptEngine} is the implementation for EVAL; FUNCTION's
 * libraries may bring their own.
 */
public interface ScriptHost
{
    /**
     * {@code redis.call(...)}: the arguments are on {@code lua}'s stack.
     *
     * @return the number of results pushed, or -1 to raise the value on top of the stack as a Lua error.
     */
    int call(Lua lua);

    /**
     * {@code redis.pcall(...)}: as {@link #call}, but a command's error is returned as a table, never raised.
     */
    int pcall(Lua lua);

    /**
     * The interrupt hook, every 100000 Lua instructions of a running script.
     *
     * @return true to stop the script with Redis's "Script killed by user with SCRIPT KILL..." error.
     */
    boolean interruptRequested();

    /**
     * {@code redis.log(level, message)}, level 0 (debug) to 3 (warning), arguments already checked.
     *
     * @return 0 (no results).
     */
    int log(int level, String message);

    /**
     * {@code redis.setresp(2|3)}, already checked.
     *
     * @return 0.
     */
    int setResp(int resp);

    /**
     * {@code redis.set_repl(flags)}, flags 0 to 3 (REPL_NONE, AOF, REPLICA, ALL), already checked.
     *
     * @return 0.
     */
    int setRepl(int flags);

    /**
     * @return whether a command of that name exists (redis.acl_check_cmd).
     */
    boolean commandExists(String name);

    /**
     * @return the next value of Redis's lrand48 (math.random).
     */
    long random();

    /**
     * math.randomseed.
     */
    void seed(long seed);

    /**
     * @return redis.REDIS_VERSION.
     */
    String redisVersion();

    /**
     * @return redis.REDIS_VERSION_NUM.
     */
    long redisVersionNum();
}
