package io.ringkv.core.script.function;

import io.ringkv.core.script.ScriptEngine;

/**
 * The figures INFO memory reports about Lua (Redis 7.0's used_memory_lua, used_memory_scripts_eval,
 * number_of_cached_scripts, number_of_functions, number_of_libraries, used_memory_functions...), read from the one Lua
 * state, the script cache and the function registry. Engine thread only, as INFO.
 * <p>
 * ringkv runs EVAL scripts and function libraries in one Lua state, so the whole state counts as the eval VM
 * ({@link #evalVmBytes()}) and {@link #functionsVmBytes()} is 0; Redis keeps a second state for functions.
 */
public final class ScriptMemory
{
    /** Per library and per function bookkeeping beyond the code, as Redis's functionsMemoryOverhead estimates it. */
    private static final long LIBRARY_OVERHEAD_BYTES = 96;
    private static final long FUNCTION_OVERHEAD_BYTES = 96;

    private final ScriptEngine scripts;
    private final FunctionRegistry functions;

    /**
     * @param scripts   the EVAL engine (its Lua state and script cache).
     * @param functions the function libraries.
     */
    public ScriptMemory(final ScriptEngine scripts, final FunctionRegistry functions)
    {
        this.scripts = scripts;
        this.functions = functions;
    }

    /**
     * @return bytes Lua's allocator holds in the state (0 before the first script creates it).
     */
    public long evalVmBytes()
    {
        return scripts.luaMemoryBytes();
    }

    /**
     * @return always 0: libraries live in the EVAL state, counted by {@link #evalVmBytes()}.
     */
    public long functionsVmBytes()
    {
        return 0;
    }

    /**
     * @return bytes of the cached EVAL scripts' sources and their entries.
     */
    public long scriptsEvalBytes()
    {
        return scripts.cache().memoryBytes();
    }

    /**
     * @return how many scripts EVAL and SCRIPT LOAD cached.
     */
    public int cachedScripts()
    {
        return scripts.cache().size();
    }

    /**
     * @return functions registered by every library.
     */
    public int functionCount()
    {
        return functions.functionCount();
    }

    /**
     * @return loaded libraries.
     */
    public int libraryCount()
    {
        return functions.libraryCount();
    }

    /**
     * @return bytes of the libraries' code, names and entries (Redis's used_memory_functions).
     */
    public long functionsBytes()
    {
        long bytes = 0;
        for (final FunctionLibrary library : functions.libraries())
        {
            bytes += LIBRARY_OVERHEAD_BYTES + library.code().length + library.name().length();
            for (final FunctionDefinition function : library.functions())
            {
                bytes += FUNCTION_OVERHEAD_BYTES + function.name().length();
            }
        }
        return bytes;
    }
}
