/**
 * Lua scripting and functions (EVAL, SCRIPT, FUNCTION, FCALL): one Lua 5.1 state owned by the engine thread, Redis's
 * script environment and sandbox, the conversions between Lua values and replies, and the libraries scripts use.
 * Other threads see only {@link io.ringkv.core.script.ScriptRunState}.
 */
package io.ringkv.core.script;
