package io.ringkv.core.script;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The scripts EVAL and SCRIPT LOAD compiled, by lower-case SHA1 of their body: the body (SCRIPT EXISTS, memory
 * figures), the registry reference of the compiled function and the shebang flags. Engine thread only.
 */
public final class ScriptCache
{
    /**
     * One cached script.
     *
     * @param sha   lower-case hex SHA1 of the body.
     * @param body  the script's source.
     * @param ref   registry reference of its compiled function.
     * @param flags {@link Shebang} flags.
     */
    public record Script(String sha, byte[] body, int ref, int flags)
    {
    }

    private final Map<String, Script> scripts = new HashMap<>();
    private long bodyBytes;

    Script find(final String sha)
    {
        return scripts.get(sha);
    }

    Script add(final String sha, final byte[] body, final int ref, final int flags)
    {
        final Script script = new Script(sha, body, ref, flags);
        scripts.put(sha, script);
        bodyBytes += body.length;
        return script;
    }

    List<Script> all()
    {
        return new ArrayList<>(scripts.values());
    }

    void clear()
    {
        scripts.clear();
        bodyBytes = 0;
    }

    /**
     * @return how many scripts are cached (INFO number_of_cached_scripts).
     */
    public int size()
    {
        return scripts.size();
    }

    /**
     * @return bytes of cached script sources and their names (INFO used_memory_scripts_eval, approximately).
     */
    public long memoryBytes()
    {
        return bodyBytes + scripts.size() * 96L;
    }
}
