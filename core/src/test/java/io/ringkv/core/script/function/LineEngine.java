package io.ringkv.core.script.function;

import java.nio.charset.StandardCharsets;

import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.Reply;

/**
 * A library engine for registry tests, independent of Lua: each line "f name [flag...]" of the body registers a
 * function; a line "error text" fails the load with that text. Counts the libraries it holds, so tests can check
 * that the registry frees every library it drops or refuses.
 */
final class LineEngine implements LibraryEngine
{
    int live;
    private final String name;

    LineEngine()
    {
        this("TEST");
    }

    /**
     * @param name the engine's name ("LUA" to stand in for Lua where only the "#!" line matters).
     */
    LineEngine(final String name)
    {
        this.name = name;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void create(final FunctionLibrary library, final byte[] code, final int bodyOffset)
        throws FunctionException
    {
        live++;
        final String body = new String(code, bodyOffset, code.length - bodyOffset, StandardCharsets.ISO_8859_1);
        for (final String line : body.split("\n"))
        {
            final String[] words = line.trim().split(" ");
            try
            {
                if (words[0].equals("f"))
                {
                    library.addFunction(words[1], null, 0, words[1]);
                }
                else if (words[0].equals("error"))
                {
                    throw new FunctionException(line.trim().substring(6));
                }
            }
            catch (final FunctionException ex)
            {
                live--;
                throw ex;
            }
        }
    }

    @Override
    public void free(final FunctionLibrary library)
    {
        live--;
    }

    @Override
    public void call(final FunctionDefinition function, final CommandContext context, final CommandArgs args,
        final int firstKey, final int numKeys, final boolean readOnly, final Reply reply)
    {
        reply.bulk(function.name().getBytes(StandardCharsets.US_ASCII));
    }
}
