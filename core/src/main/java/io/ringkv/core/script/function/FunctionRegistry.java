package io.ringkv.core.script.function;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The loaded function libraries and the index of their functions by name, with Redis 7.0's rules for FUNCTION
 * LOAD [REPLACE], DELETE, FLUSH and RESTORE (functions.c): every change is all-or-nothing, and a failed one leaves
 * the libraries exactly as they were.
 * <p>
 * Libraries are kept in name order. Redis iterates a hash table seeded at random, so its FUNCTION LIST and DUMP
 * orders vary from process to process; a fixed order makes ours repeatable (the same libraries always DUMP to the
 * same bytes). Code is run by the {@link LibraryEngine} registered under the "#!" line's engine name; without one
 * (before the Lua engine is wired) every load answers "Engine 'lua' not found".
 * <p>
 * Only the engine thread calls this, except {@link #codes()}'s result, which is immutable and may be handed to any
 * thread (snapshots, RDB writers).
 */
public final class FunctionRegistry
{
    private final Map<String, LibraryEngine> engines = new HashMap<>();
    private final TreeMap<String, FunctionLibrary> libraries = new TreeMap<>();
    private final Map<String, FunctionDefinition> functions = new HashMap<>();
    private List<byte[]> codes = List.of();

    /**
     * @param engine to run libraries whose "#!" line names it (any case).
     */
    public void registerEngine(final LibraryEngine engine)
    {
        engines.put(engine.name().toUpperCase(Locale.ROOT), engine);
    }

    /**
     * @return the registered engines (FUNCTION STATS lists them).
     */
    public Collection<LibraryEngine> engines()
    {
        return Collections.unmodifiableCollection(engines.values());
    }

    /**
     * FUNCTION LOAD.
     *
     * @param code    the library's code.
     * @param replace true for LOAD REPLACE: a library of the same name is replaced.
     * @return the library's name.
     * @throws FunctionException with Redis's text; nothing changed.
     */
    public String load(final byte[] code, final boolean replace) throws FunctionException
    {
        final FunctionLibrary library = create(code);
        final FunctionLibrary old = libraries.get(library.name());
        try
        {
            if (null != old && !replace)
            {
                throw new FunctionException("Library '" + library.name() + "' already exists");
            }
            checkFunctionCollisions(library, old);
        }
        catch (final FunctionException ex)
        {
            engine(library).free(library);
            throw ex;
        }
        if (null != old)
        {
            unlink(old);
        }
        link(library);
        return library.name();
    }

    /**
     * FUNCTION DELETE.
     *
     * @param name the library's name.
     * @throws FunctionException "Library not found".
     */
    public void delete(final String name) throws FunctionException
    {
        final FunctionLibrary library = libraries.get(name);
        if (null == library)
        {
            throw new FunctionException("Library not found");
        }
        unlink(library);
    }

    /**
     * FUNCTION FLUSH: drop every library. (Redis's ASYNC frees them in a background thread; the engine's references
     * are released here at once either way, which is cheap next to a Lua state.)
     */
    public void flush()
    {
        for (final FunctionLibrary library : new ArrayList<>(libraries.values()))
        {
            unlink(library);
        }
    }

    /**
     * FUNCTION RESTORE, and loading libraries from an RDB file or a full sync: create every library of
     * {@code libraryCodes} (each must load on its own, and no two may share a library or function name), then join
     * them to the loaded ones by the policy.
     *
     * @param libraryCodes the libraries' codes.
     * @param policy       FLUSH, APPEND or REPLACE.
     * @throws FunctionException with Redis's text; nothing changed.
     */
    public void restore(final List<byte[]> libraryCodes, final RestorePolicy policy) throws FunctionException
    {
        final TreeMap<String, FunctionLibrary> restored = new TreeMap<>();
        final Map<String, FunctionDefinition> restoredFunctions = new HashMap<>();
        try
        {
            for (final byte[] code : libraryCodes)
            {
                final FunctionLibrary library = create(code);
                if (restored.containsKey(library.name()))
                {
                    engine(library).free(library);
                    throw new FunctionException("Library '" + library.name() + "' already exists");
                }
                for (final FunctionDefinition function : library.functions())
                {
                    if (restoredFunctions.containsKey(key(function.name())))
                    {
                        engine(library).free(library);
                        throw new FunctionException("Function " + function.name() + " already exists");
                    }
                }
                restored.put(library.name(), library);
                for (final FunctionDefinition function : library.functions())
                {
                    restoredFunctions.putIfAbsent(key(function.name()), function);
                }
            }
            if (policy != RestorePolicy.FLUSH)
            {
                checkJoin(restored, policy == RestorePolicy.REPLACE);
            }
        }
        catch (final FunctionException ex)
        {
            for (final FunctionLibrary library : restored.values())
            {
                engine(library).free(library);
            }
            throw ex;
        }
        if (policy == RestorePolicy.FLUSH)
        {
            flush();
        }
        // Every replaced library goes before any restored one comes: a replaced library may hold a function name
        // that another restored library takes over.
        for (final FunctionLibrary library : restored.values())
        {
            final FunctionLibrary old = libraries.get(library.name());
            if (null != old)
            {
                unlink(old);
            }
        }
        for (final FunctionLibrary library : restored.values())
        {
            link(library);
        }
    }

    /**
     * @param name a function's name, any case: Redis's index of functions ignores case (FCALL MYFUNC finds myfunc, and
     *             two libraries may not hold Fx and FX), while one library may hold both (the first is indexed).
     * @return the function, or null when no library registered it.
     */
    public FunctionDefinition function(final String name)
    {
        return functions.get(key(name));
    }

    /**
     * @param name a library's name.
     * @return the library, or null.
     */
    public FunctionLibrary library(final String name)
    {
        return libraries.get(name);
    }

    /**
     * @return the libraries in name order.
     */
    public Collection<FunctionLibrary> libraries()
    {
        return Collections.unmodifiableCollection(libraries.values());
    }

    public int libraryCount()
    {
        return libraries.size();
    }

    /**
     * @return functions of every library (FUNCTION STATS's count; one library's Fx and FX count twice).
     */
    public int functionCount()
    {
        int count = 0;
        for (final FunctionLibrary library : libraries.values())
        {
            count += library.functions().size();
        }
        return count;
    }

    /**
     * @param engineName an engine's name.
     * @return how many of its libraries are loaded.
     */
    public int libraryCount(final String engineName)
    {
        int count = 0;
        for (final FunctionLibrary library : libraries.values())
        {
            count += library.engine().equals(engineName) ? 1 : 0;
        }
        return count;
    }

    /**
     * @param engineName an engine's name.
     * @return how many functions its libraries registered.
     */
    public int functionCount(final String engineName)
    {
        int count = 0;
        for (final FunctionLibrary library : libraries.values())
        {
            count += library.engine().equals(engineName) ? library.functions().size() : 0;
        }
        return count;
    }

    /**
     * The libraries' codes as of now, in name order: what FUNCTION DUMP, an RDB file and a full sync carry. The list
     * and its arrays are never changed afterwards, so any thread may read them.
     *
     * @return an immutable list of the codes.
     */
    public List<byte[]> codes()
    {
        List<byte[]> codes = this.codes;
        if (null == codes)
        {
            final List<byte[]> list = new ArrayList<>(libraries.size());
            for (final FunctionLibrary library : libraries.values())
            {
                list.add(library.code());
            }
            codes = Collections.unmodifiableList(list);
            this.codes = codes;
        }
        return codes;
    }

    /**
     * Parse the header, check the name, find the engine and run the code into a new, unlinked library.
     */
    private FunctionLibrary create(final byte[] code) throws FunctionException
    {
        final LibraryHeader header = LibraryHeader.parse(code);
        if (!LibraryHeader.isValidName(header.name()))
        {
            throw new FunctionException("Library names can only contain letters, numbers, or underscores(_) and " +
                "must be at least one character long");
        }
        final LibraryEngine engine = engines.get(header.engine().toUpperCase(Locale.ROOT));
        if (null == engine)
        {
            throw new FunctionException("Engine '" + header.engine() + "' not found");
        }
        final byte[] own = code.clone();
        final FunctionLibrary library = new FunctionLibrary(header.name(), engine.name(), own);
        engine.create(library, own, header.bodyOffset());
        if (library.functions().isEmpty())
        {
            engine.free(library);
            throw new FunctionException("No functions registered");
        }
        return library;
    }

    /**
     * A new library's functions may not share a name with another library's (the one it replaces excepted).
     */
    private void checkFunctionCollisions(final FunctionLibrary library, final FunctionLibrary replaced)
        throws FunctionException
    {
        for (final FunctionDefinition function : library.functions())
        {
            final FunctionDefinition existing = functions.get(key(function.name()));
            if (null != existing && existing.library() != replaced)
            {
                throw new FunctionException("Function " + function.name() + " already exists");
            }
        }
    }

    /**
     * Redis's libraryJoin checks: a restored library whose name is loaded fails APPEND; under REPLACE the loaded one
     * goes, but the restored functions may not collide with those of the libraries that stay.
     */
    private void checkJoin(final Map<String, FunctionLibrary> restored, final boolean replace)
        throws FunctionException
    {
        for (final FunctionLibrary library : restored.values())
        {
            if (!replace && libraries.containsKey(library.name()))
            {
                throw new FunctionException("Library " + library.name() + " already exists");
            }
        }
        for (final FunctionLibrary library : restored.values())
        {
            for (final FunctionDefinition function : library.functions())
            {
                final FunctionDefinition existing = functions.get(key(function.name()));
                if (null != existing && !(replace && restored.containsKey(existing.library().name())))
                {
                    throw new FunctionException("Function " + function.name() + " already exists");
                }
            }
        }
    }

    private void link(final FunctionLibrary library)
    {
        libraries.put(library.name(), library);
        for (final FunctionDefinition function : library.functions())
        {
            functions.putIfAbsent(key(function.name()), function);
        }
        codes = null;
    }

    private void unlink(final FunctionLibrary library)
    {
        libraries.remove(library.name());
        for (final FunctionDefinition function : library.functions())
        {
            functions.remove(key(function.name()), function);
        }
        codes = null;
        engine(library).free(library);
    }

    /**
     * @param function a registered function.
     * @return the engine that runs it.
     */
    public LibraryEngine engineOf(final FunctionDefinition function)
    {
        return engine(function.library());
    }

    private static String key(final String functionName)
    {
        return functionName.toLowerCase(Locale.ROOT);
    }

    private LibraryEngine engine(final FunctionLibrary library)
    {
        return engines.get(library.engine().toUpperCase(Locale.ROOT));
    }
}
