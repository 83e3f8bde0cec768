package io.ringkv.core.script.function;

import io.ringkv.core.command.CommandArgs;
import io.ringkv.core.command.CommandContext;
import io.ringkv.core.command.Reply;

/**
 * A scripting engine libraries are written for (Redis 7.0 has one: LUA). The registry hands it a library's code to
 * run; the code registers its functions through {@link FunctionLibrary#addFunction}. Only the engine thread calls
 * it.
 */
public interface LibraryEngine
{
    /**
     * @return the engine's name as FUNCTION LIST and STATS show it ("LUA"); matched ignoring case in "#!lua".
     */
    String name();

    /**
     * Compile and run a library's code, which registers its functions into {@code library}.
     *
     * @param library    the library being created, empty.
     * @param code       the whole library code.
     * @param bodyOffset where the code after the "#!" line begins (at that line's newline).
     * @throws FunctionException with Redis's text ("Error compiling function: ...", "Error registering functions:
     *                           ..."); the engine has then released whatever it made for the library.
     */
    void create(FunctionLibrary library, byte[] code, int bodyOffset) throws FunctionException;

    /**
     * Release what the engine holds for a library the registry no longer has (its callbacks).
     *
     * @param library removed from the registry, or never linked.
     */
    void free(FunctionLibrary library);

    /**
     * Run a function for FCALL/FCALL_RO: check its flags against the server's state as Redis's scriptPrepareForRun
     * does, call it with its keys and arguments, and write its result (or error) as the one reply.
     *
     * @param function the function.
     * @param context  the command's context.
     * @param args     the FCALL request.
     * @param firstKey index of the first key argument (the arguments follow the keys).
     * @param numKeys  how many keys.
     * @param readOnly true for FCALL_RO.
     * @param reply    where the reply goes.
     */
    void call(FunctionDefinition function, CommandContext context, CommandArgs args, int firstKey, int numKeys,
        boolean readOnly, Reply reply);
}
