package io.ringkv.core.script.function;

/**
 * One function a library registered: its name, flags ({@link io.ringkv.core.script.ScriptFlags}), optional
 * description and the engine's handle to its callback. Immutable once registered; the engine thread uses the
 * handle.
 *
 * @param name        the function's name (letters, digits, underscores).
 * @param description what register_function was given as description, or null.
 * @param flags       {@link io.ringkv.core.script.ScriptFlags} bits.
 * @param callback    the engine's handle to the callback (for Lua: a registry reference).
 * @param library     the library that registered it.
 */
public record FunctionDefinition(String name, byte[] description, int flags, Object callback,
    FunctionLibrary library)
{
}
