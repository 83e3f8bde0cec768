package io.ringkv.core.script.function;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

/**
 * The registry against a model written as plainly as possible (a sorted map of library name to its functions' names)
 * with Redis 7.0's rules for LOAD [REPLACE], DELETE, FLUSH and RESTORE FLUSH|APPEND|REPLACE: random operations over
 * few names, so that collisions of library and function names are frequent, each must succeed or fail as in the model
 * (with the same error), leave the same libraries and functions, and leave the engine holding exactly the libraries the
 * registry holds (every refused or dropped library freed once).
 */
class FunctionRegistryModelTest
{
    private static final String[] LIBRARIES = {"a", "b", "c", "d"};
    private static final String[] FUNCTIONS = {"f", "g", "h", "i", "j", "k"};

    @Test
    void registryFollowsTheModel()
    {
        for (final long seed : new long[]{1, 14, 2026, 777})
        {
            run(seed, 20_000);
        }
    }

    private void run(final long seed, final int operations)
    {
        final Random random = new Random(seed);
        final LineEngine engine = new LineEngine();
        final FunctionRegistry registry = new FunctionRegistry();
        registry.registerEngine(engine);
        final TreeMap<String, List<String>> model = new TreeMap<>();
        for (int op = 0; op < operations; op++)
        {
            final int kind = random.nextInt(10);
            final String description;
            String expected;
            String actual;
            if (kind < 5)
            {
                final String code = randomLibrary(random);
                final boolean replace = random.nextBoolean();
                description = "LOAD " + (replace ? "REPLACE " : "") + code;
                expected = modelLoad(model, code, replace);
                try
                {
                    actual = registry.load(bytes(code), replace);
                }
                catch (final FunctionException ex)
                {
                    actual = ex.getMessage();
                }
            }
            else if (kind < 7)
            {
                final String name = LIBRARIES[random.nextInt(LIBRARIES.length)];
                description = "DELETE " + name;
                expected = null == model.remove(name) ? "Library not found" : "OK";
                try
                {
                    registry.delete(name);
                    actual = "OK";
                }
                catch (final FunctionException ex)
                {
                    actual = ex.getMessage();
                }
            }
            else if (kind == 7 && random.nextInt(4) == 0)
            {
                description = "FLUSH";
                model.clear();
                registry.flush();
                expected = actual = "OK";
            }
            else
            {
                final List<String> codes = new ArrayList<>();
                final int count = random.nextInt(4);
                for (int i = 0; i < count; i++)
                {
                    codes.add(randomLibrary(random));
                }
                final RestorePolicy policy = RestorePolicy.values()[random.nextInt(3)];
                description = "RESTORE " + policy + " " + codes;
                expected = modelRestore(model, codes, policy);
                final List<byte[]> payload = new ArrayList<>();
                codes.forEach(code -> payload.add(bytes(code)));
                try
                {
                    registry.restore(payload, policy);
                    actual = "OK";
                }
                catch (final FunctionException ex)
                {
                    actual = ex.getMessage();
                }
            }
            final String where = "seed " + seed + " op " + op + ": " + description;
            assertEquals(expected, actual, where);
            assertEquals(model.toString(), state(registry), where);
            assertEquals(registry.libraryCount(), engine.live, where + ": libraries held by the engine");
            int functions = 0;
            for (final List<String> names : model.values())
            {
                functions += names.size();
            }
            assertEquals(functions, registry.functionCount(), where);
        }
    }

    /** Redis's FUNCTION LOAD, plainly: returns the library name or the error. */
    private static String modelLoad(final TreeMap<String, List<String>> model, final String code,
        final boolean replace)
    {
        final String name = name(code);
        final List<String> functions = functions(code);
        final String invalid = invalid(functions);
        if (null != invalid)
        {
            return invalid;
        }
        if (model.containsKey(name) && !replace)
        {
            return "Library '" + name + "' already exists";
        }
        for (final String function : functions)
        {
            for (final Map.Entry<String, List<String>> library : model.entrySet())
            {
                if (!library.getKey().equals(name) && library.getValue().contains(function))
                {
                    return "Function " + function + " already exists";
                }
            }
        }
        model.put(name, functions);
        return name;
    }

    /** Redis's FUNCTION RESTORE, plainly. */
    private static String modelRestore(final TreeMap<String, List<String>> model, final List<String> codes,
        final RestorePolicy policy)
    {
        final TreeMap<String, List<String>> restored = new TreeMap<>();
        for (final String code : codes)
        {
            final List<String> functions = functions(code);
            final String invalid = invalid(functions);
            if (null != invalid)
            {
                return invalid;
            }
            if (restored.containsKey(name(code)))
            {
                return "Library '" + name(code) + "' already exists";
            }
            for (final String function : functions)
            {
                for (final List<String> other : restored.values())
                {
                    if (other.contains(function))
                    {
                        return "Function " + function + " already exists";
                    }
                }
            }
            restored.put(name(code), functions);
        }
        if (policy == RestorePolicy.FLUSH)
        {
            model.clear();
            model.putAll(restored);
            return "OK";
        }
        for (final String name : restored.keySet())
        {
            if (policy == RestorePolicy.APPEND && model.containsKey(name))
            {
                return "Library " + name + " already exists";
            }
        }
        for (final Map.Entry<String, List<String>> library : restored.entrySet())
        {
            for (final String function : library.getValue())
            {
                for (final Map.Entry<String, List<String>> existing : model.entrySet())
                {
                    final boolean replaced = policy == RestorePolicy.REPLACE && restored.containsKey(existing.getKey());
                    if (!replaced && existing.getValue().contains(function))
                    {
                        return "Function " + function + " already exists";
                    }
                }
            }
        }
        model.putAll(restored);
        return "OK";
    }

    private static String invalid(final List<String> functions)
    {
        if (functions.isEmpty())
        {
            return "No functions registered";
        }
        for (int i = 0; i < functions.size(); i++)
        {
            if (functions.subList(0, i).contains(functions.get(i)))
            {
                return "Function already exists in the library";
            }
        }
        return null;
    }

    private static String randomLibrary(final Random random)
    {
        final StringBuilder code = new StringBuilder("#!test name=").append(LIBRARIES[random.nextInt(
            LIBRARIES.length)]);
        final int count = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(3);
        for (int i = 0; i < count; i++)
        {
            code.append("\nf ").append(FUNCTIONS[random.nextInt(FUNCTIONS.length)]);
        }
        return code.append('\n').toString();
    }

    private static String name(final String code)
    {
        return code.substring("#!test name=".length(), code.indexOf('\n') < 0 ? code.length() : code.indexOf('\n'));
    }

    private static List<String> functions(final String code)
    {
        final List<String> functions = new ArrayList<>();
        for (final String line : code.split("\n"))
        {
            if (line.startsWith("f "))
            {
                functions.add(line.substring(2));
            }
        }
        return functions;
    }

    private static String state(final FunctionRegistry registry)
    {
        final Map<String, List<String>> state = new LinkedHashMap<>();
        for (final FunctionLibrary library : registry.libraries())
        {
            final List<String> names = new ArrayList<>();
            library.functions().forEach(function -> names.add(function.name()));
            state.put(library.name(), names);
            for (final String name : names)
            {
                assertEquals(library, registry.function(name).library(), "function index of " + name);
            }
        }
        return state.toString();
    }

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
