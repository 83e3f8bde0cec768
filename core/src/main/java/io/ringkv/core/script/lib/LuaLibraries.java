package io.ringkv.core.script.lib;

import party.iroiro.luajava.Lua;

/**
 * The libraries Redis gives scripts, written for ringkv in Java: {@code cjson}, {@code cmsgpack}, {@code bit} and
 * {@code struct}, each behaving as the version Redis 7.0 bundles (same outputs byte for byte, same error texts).
 * <p>
 * {@link #install} runs once per Lua state, on the thread that owns it, before the sandbox is applied: it needs the
 * {@code debug} library to place error positions as Lua's C libraries do, and keeps its own reference to it.
 */
public final class LuaLibraries
{
    private LuaLibraries()
    {
    }

    /**
     * Sets the globals {@code cjson}, {@code cmsgpack}, {@code bit} and {@code struct} in {@code lua}.
     */
    public static void install(final Lua lua)
    {
        final LibrarySupport support = new LibrarySupport(lua);
        JsonLibrary.install(lua, support);
        MessagePackLibrary.install(lua, support);
        BitLibrary.install(lua, support);
        StructLibrary.install(lua, support);
    }
}
