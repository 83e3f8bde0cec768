package io.ringkv.core.script.function;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import io.ringkv.core.script.ScriptFlags;

/**
 * A library: its name, engine, code (exactly as loaded, first line included) and the functions its code
 * registered, in registration order. Built by {@link FunctionRegistry} while its engine runs the code (each
 * {@code register_function} is one {@link #addFunction}); read-only once the registry links it.
 * <p>
 * Only the engine thread uses it.
 */
public final class FunctionLibrary
{
    private final String name;
    private final String engine;
    private final byte[] code;
    private final List<FunctionDefinition> functions = new ArrayList<>();

    FunctionLibrary(final String name, final String engine, final byte[] code)
    {
        this.name = name;
        this.engine = engine;
        this.code = code;
    }

    public String name()
    {
        return name;
    }

    /**
     * @return the engine's name as Redis lists it ("LUA").
     */
    public String engine()
    {
        return engine;
    }

    /**
     * @return the library's code as loaded; callers must not change it.
     */
    public byte[] code()
    {
        return code;
    }

    /**
     * @return the registered functions, in registration order.
     */
    public List<FunctionDefinition> functions()
    {
        return Collections.unmodifiableList(functions);
    }

    /**
     * Register a function while the library's code runs (Redis's functionLibCreateFunction).
     *
     * @param functionName the name given to register_function.
     * @param description  its description, or null.
     * @param flags        {@link ScriptFlags} bits.
     * @param callback     the engine's handle to the callback.
     * @throws FunctionException with Redis's text for a bad or duplicate name.
     */
    public void addFunction(final String functionName, final byte[] description, final int flags,
        final Object callback) throws FunctionException
    {
        if (!LibraryHeader.isValidName(functionName))
        {
            // Redis 7.0 says "Library names" here too (functions.c reuses the library's message).
            throw new FunctionException(
                "Library names can only contain letters, numbers, or underscores(_) and must be at least one " +
                "character long");
        }
        for (final FunctionDefinition function : functions)
        {
            if (function.name().equals(functionName))
            {
                throw new FunctionException("Function already exists in the library");
            }
        }
        functions.add(new FunctionDefinition(functionName, description, flags, callback, this));
    }
}
