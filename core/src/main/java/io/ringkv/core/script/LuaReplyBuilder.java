package io.ringkv.core.script;

import io.ringkv.core.codec.RedisDoubleFormat;
import io.ringkv.core.command.Reply;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import party.iroiro.luajava.lua51.Lua51Natives;

/**
 * A command's reply built straight into a Lua value on the stack, as Redis's redisProtocolToLuaType converts a reply
 * for {@code redis.call}: integers are numbers, bulk strings strings, a null is false (RESP2) or nil (RESP3), a status
 * is {@code {ok=...}}, an error {@code {err="CODE message"}}, an array a table. Under {@code redis.setresp(3)} a map is
 * {@code {map={...}}}, a set {@code {set={member=true}}}, a double {@code {double=n}}, a boolean true/false, a big
 * number {@code {big_number="..."}}, a verbatim string {@code {verbatim_string={format=, string=}}}; under RESP2 they
 * arrive as RESP2 sends them.
 * <p>
 * Aggregates are filled as their elements arrive: a stack of open tables mirrors the reply's nesting, so nothing is
 * built twice. Engine thread only; reused for every call.
 */
final class LuaReplyBuilder implements Reply
{
    private static final int ARRAY = 0;
    private static final int MAP = 1;
    private static final int SET = 2;

    private final LuaRuntime runtime;
    private final Lua51Natives natives;
    private final UnsafeBuffer doubleText = new UnsafeBuffer(new byte[RedisDoubleFormat.MAX_LENGTH]);
    private final RedisDoubleFormat doubleFormat = new RedisDoubleFormat();
    private final ExpandableArrayBuffer digits = new ExpandableArrayBuffer(24);
    private long l;
    private int resp;
    private int depth;
    private int[] kind = new int[8];
    private int[] remaining = new int[8];
    private int[] index = new int[8];
    private boolean[] haveKey = new boolean[8];
    private boolean topLevelError;
    private int values;

    LuaReplyBuilder(final LuaRuntime runtime)
    {
        this.runtime = runtime;
        this.natives = runtime.natives();
    }

    /**
     * Start building one reply on the stack of {@code state}.
     *
     * @param state the state or thread pointer the value goes to.
     * @param resp  2 or 3, as the script set with redis.setresp.
     */
    void begin(final long state, final int resp)
    {
        this.l = state;
        this.resp = resp;
        depth = 0;
        topLevelError = false;
        values = 0;
    }

    /**
     * @return true when the reply was complete: one value is on the stack.
     */
    boolean complete()
    {
        return depth == 0 && values == 1;
    }

    /**
     * @return true when the reply is an error (not an error inside an array).
     */
    boolean topLevelError()
    {
        return topLevelError;
    }

    @Override
    public void startRequest(final int requestIndex)
    {
    }

    @Override
    public void endRequest(final int requestIndex)
    {
    }

    @Override
    public boolean nestsPairs()
    {
        return resp == 3;
    }

    @Override
    public void ok()
    {
        singleField("ok", "OK");
    }

    @Override
    public void simpleString(final byte[] asciiText)
    {
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, "ok");
        runtime.pushString(l, asciiText);
        natives.lua_rawset(l, -3);
        placed();
    }

    @Override
    public void error(final String message)
    {
        if (depth == 0)
        {
            topLevelError = true;
        }
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, "err");
        pushLatin1(errorText(message));
        natives.lua_rawset(l, -3);
        placed();
    }

    /**
     * Redis's luaPushErrorBuff for a command's error reply: the code is the first word, the rest the message, CR and
     * LF trimmed from its ends.
     */
    static String errorText(final String message)
    {
        final int space = message.indexOf(' ');
        if (space < 0)
        {
            return "ERR " + trim(message);
        }
        return message.substring(0, space) + " " + trim(message.substring(space + 1));
    }

    private static String trim(final String text)
    {
        int from = 0;
        int to = text.length();
        while (from < to && (text.charAt(from) == '\r' || text.charAt(from) == '\n'))
        {
            from++;
        }
        while (to > from && (text.charAt(to - 1) == '\r' || text.charAt(to - 1) == '\n'))
        {
            to--;
        }
        return text.substring(from, to);
    }

    @Override
    public void integer(final long value)
    {
        natives.lua_pushnumber(l, value);
        placed();
    }

    @Override
    public void bulk(final DirectBuffer buffer, final int index, final int length)
    {
        runtime.pushString(l, buffer, index, length);
        placed();
    }

    @Override
    public void bulk(final byte[] bytes)
    {
        runtime.pushString(l, bytes);
        placed();
    }

    @Override
    public void bulkInteger(final long value)
    {
        final int length = digits.putLongAscii(0, value);
        runtime.pushString(l, digits, 0, length);
        placed();
    }

    @Override
    public void json(final DirectBuffer buffer, final int index, final int length)
    {
        bulk(buffer, index, length);
    }

    @Override
    public void nil()
    {
        if (resp == 2)
        {
            natives.lua_pushboolean(l, 0);
        }
        else
        {
            natives.lua_pushnil(l);
        }
        placed();
    }

    @Override
    public void nilArray()
    {
        nil();
    }

    @Override
    public void arrayHeader(final int count)
    {
        open(ARRAY, count);
    }

    @Override
    public void mapHeader(final int pairs)
    {
        if (resp == 2)
        {
            open(ARRAY, pairs * 2);
        }
        else
        {
            open(MAP, pairs);
        }
    }

    @Override
    public void setHeader(final int count)
    {
        open(resp == 2 ? ARRAY : SET, count);
    }

    @Override
    public void doubleValue(final double value)
    {
        if (resp == 2)
        {
            final int length = doubleFormat.format(value, doubleText, 0);
            runtime.pushString(l, doubleText, 0, length);
            placed();
            return;
        }
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, "double");
        natives.lua_pushnumber(l, value);
        natives.lua_rawset(l, -3);
        placed();
    }

    @Override
    public void bool(final boolean value)
    {
        if (resp == 2)
        {
            natives.lua_pushnumber(l, value ? 1 : 0);
        }
        else
        {
            natives.lua_pushboolean(l, value ? 1 : 0);
        }
        placed();
    }

    @Override
    public void bigNumber(final CharSequence digits)
    {
        if (resp == 2)
        {
            pushLatin1(digits.toString());
            placed();
            return;
        }
        singleField("big_number", digits.toString());
    }

    @Override
    public void verbatimText(final CharSequence text)
    {
        if (resp == 2)
        {
            pushLatin1(text.toString());
            placed();
            return;
        }
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, "verbatim_string");
        natives.lua_createtable(l, 0, 2);
        runtime.pushAscii(l, "format");
        runtime.pushAscii(l, "txt");
        natives.lua_rawset(l, -3);
        runtime.pushAscii(l, "string");
        pushLatin1(text.toString());
        natives.lua_rawset(l, -3);
        natives.lua_rawset(l, -3);
        placed();
    }

    private void singleField(final String field, final String value)
    {
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, field);
        pushLatin1(value);
        natives.lua_rawset(l, -3);
        placed();
    }

    private void pushLatin1(final String text)
    {
        runtime.pushString(l, text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    private void open(final int tableKind, final int count)
    {
        if (natives.lua_checkstack(l, 4) == 0)
        {
            throw new IllegalStateException("lua stack limit reached when converting a reply");
        }
        if (depth == kind.length)
        {
            kind = java.util.Arrays.copyOf(kind, depth * 2);
            remaining = java.util.Arrays.copyOf(remaining, depth * 2);
            index = java.util.Arrays.copyOf(index, depth * 2);
            haveKey = java.util.Arrays.copyOf(haveKey, depth * 2);
        }
        natives.lua_createtable(l, tableKind == ARRAY ? count : 0, tableKind == ARRAY ? 0 : count);
        if (count == 0)
        {
            closeTable(tableKind);
            placed();
            return;
        }
        kind[depth] = tableKind;
        remaining[depth] = count;
        index[depth] = 0;
        haveKey[depth] = false;
        depth++;
    }

    /** RESP3's map and set arrive in Lua wrapped: {map = t} and {set = t}. */
    private void closeTable(final int tableKind)
    {
        if (tableKind == ARRAY)
        {
            return;
        }
        natives.lua_createtable(l, 0, 1);
        runtime.pushAscii(l, tableKind == MAP ? "map" : "set");
        natives.lua_pushvalue(l, -3);
        natives.lua_rawset(l, -3);
        natives.lua_remove(l, -2);
    }

    /** A value is on top of the stack: put it in the open table, closing every table it completes. */
    private void placed()
    {
        while (depth > 0)
        {
            final int d = depth - 1;
            switch (kind[d])
            {
                case ARRAY -> natives.lua_rawseti(l, -2, ++index[d]);
                case MAP ->
                {
                    if (!haveKey[d])
                    {
                        haveKey[d] = true;
                        return;
                    }
                    haveKey[d] = false;
                    natives.lua_rawset(l, -3);
                }
                default ->
                {
                    natives.lua_pushboolean(l, 1);
                    natives.lua_rawset(l, -3);
                }
            }
            if (--remaining[d] > 0)
            {
                return;
            }
            depth--;
            closeTable(kind[d]);
        }
        values++;
    }
}
