package io.ringkv.core.script.lib;

/**
 * A library function's failure, raised in Java and turned into a Lua error at the function's boundary by
 * {@link LibrarySupport#function}: Lua errors cannot unwind through the JNI frames, so the Java side throws and the
 * boundary pushes the message and returns to Lua, which raises it.
 */
final class LuaLibraryError extends RuntimeException
{
    /** The message is raised as is, without the caller's position (Lua's {@code lua_error}). */
    static final int RAW = -1;
    /** The message gets the caller's position in front, as {@code luaL_error} does. */
    static final int POSITIONED = -2;

    final int argument;

    private LuaLibraryError(final int argument, final String message)
    {
        super(message, null, false, false);
        this.argument = argument;
    }

    /**
     * {@code luaL_error}: "user_script:1: message".
     */
    static LuaLibraryError error(final String message)
    {
        return new LuaLibraryError(POSITIONED, message);
    }

    /**
     * {@code lua_error} of a plain string.
     */
    static LuaLibraryError raw(final String message)
    {
        return new LuaLibraryError(RAW, message);
    }

    /**
     * {@code luaL_argerror}: "user_script:1: bad argument #n to 'name' (message)".
     */
    static LuaLibraryError argument(final int argument, final String message)
    {
        return new LuaLibraryError(argument, message);
    }
}
