package io.ringkv.core.script.function;

/**
 * FUNCTION RESTORE's policy toward the libraries already loaded.
 */
public enum RestorePolicy
{
    /** Drop every loaded library first. */
    FLUSH,
    /** Add the payload's libraries; any name collision fails the whole restore (the default). */
    APPEND,
    /** Add them, replacing loaded libraries of the same name; a function name collision still fails it. */
    REPLACE
}
