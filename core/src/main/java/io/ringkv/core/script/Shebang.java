package io.ringkv.core.script;

import java.nio.charset.StandardCharsets;

/**
 * An EVAL script's optional first line {@code #!lua flags=no-writes,allow-oom,...}, parsed as Redis 7.0's
 * evalExtractShebangFlags does, with its error texts. A script without one runs in compatibility mode
 * ({@link #COMPAT}): writes allowed, memory checked per command.
 *
 * @param flags  the flags.
 * @param length bytes of the shebang line before its line feed (the body compiled starts there, keeping line
 *               numbers).
 * @param error  the refusal, or null.
 */
record Shebang(int flags, int length, String error)
{
    static final int NO_WRITES = ScriptFlags.NO_WRITES;
    static final int ALLOW_OOM = ScriptFlags.ALLOW_OOM;
    static final int ALLOW_STALE = ScriptFlags.ALLOW_STALE;
    static final int NO_CLUSTER = ScriptFlags.NO_CLUSTER;
    static final int ALLOW_CROSS_SLOT_KEYS = ScriptFlags.ALLOW_CROSS_SLOT_KEYS;
    /** No shebang: Redis's SCRIPT_FLAG_EVAL_COMPAT_MODE. */
    static final int COMPAT = 1 << 5;

    static Shebang parse(final byte[] body)
    {
        if (body.length < 2 || body[0] != '#' || body[1] != '!')
        {
            return new Shebang(COMPAT, 0, null);
        }
        int end = 0;
        while (end < body.length && body[end] != '\n')
        {
            end++;
        }
        if (end == body.length)
        {
            return new Shebang(0, 0, "ERR Invalid script shebang");
        }
        final String line = new String(body, 0, end, StandardCharsets.ISO_8859_1);
        final String[] parts = line.trim().split("[ \t\r]+");
        if (parts.length == 0 || parts[0].isEmpty())
        {
            return new Shebang(0, 0, "ERR Invalid engine in script shebang");
        }
        if (!"#!lua".equals(parts[0]))
        {
            return new Shebang(0, 0, "ERR Unexpected engine in script shebang: " + parts[0]);
        }
        int flags = 0;
        for (int i = 1; i < parts.length; i++)
        {
            if (!parts[i].startsWith("flags="))
            {
                return new Shebang(0, 0, "ERR Unknown lua shebang option: " + parts[i]);
            }
            for (final String flag : parts[i].substring(6).split(","))
            {
                if (flag.isEmpty())
                {
                    continue;
                }
                final int bit = ScriptFlags.fromName(flag);
                if (bit == ScriptFlags.UNKNOWN)
                {
                    return new Shebang(0, 0, "ERR Unexpected flag in script shebang: " + flag);
                }
                flags |= bit;
            }
        }
        return new Shebang(flags, end, null);
    }
}
