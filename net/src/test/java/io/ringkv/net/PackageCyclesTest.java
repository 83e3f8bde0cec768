package io.ringkv.net;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ringkv's packages depend on each other one way only (the guide's rule): no package reaches, through its imports,
 * a package that reaches it back, within a module or across modules. Read from the sources of every module (this
 * test runs in net, the module that sees the others), so it also covers what the compiler inlines.
 */
class PackageCyclesTest
{
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?(io\\.ringkv\\.[\\w.]+);",
        Pattern.MULTILINE);

    private static final List<String> MODULES = List.of("core", "replication", "net", "loadgen");

    @Test
    void noPackageDependsOnItself() throws IOException
    {
        final Map<String, Set<String>> dependencies = new TreeMap<>();
        for (final String module : MODULES)
        {
            dependencies.putAll(dependencies(Path.of("..", module, "src", "main", "java")));
        }
        for (final String read : List.of("io.ringkv.core.engine", "io.ringkv.core.changelog",
            "io.ringkv.replication.master", "io.ringkv.net.server", "io.ringkv.loadgen.cli"))
        {
            assertTrue(dependencies.containsKey(read), read + " not read: " + dependencies.keySet());
        }
        final List<String> cycles = new ArrayList<>();
        for (final String start : dependencies.keySet())
        {
            final List<String> path = new ArrayList<>(List.of(start));
            findCycle(start, start, dependencies, path, new TreeSet<>(), cycles);
        }
        assertEquals(List.of(), cycles);
    }

    private static void findCycle(
        final String start, final String from, final Map<String, Set<String>> dependencies, final List<String> path,
        final Set<String> visited, final List<String> cycles)
    {
        for (final String next : dependencies.getOrDefault(from, Set.of()))
        {
            if (next.equals(start))
            {
                cycles.add(String.join(" -> ", path) + " -> " + start);
            }
            else if (visited.add(next))
            {
                path.add(next);
                findCycle(start, next, dependencies, path, visited, cycles);
                path.remove(path.size() - 1);
            }
        }
    }

    private static Map<String, Set<String>> dependencies(final Path sources) throws IOException
    {
        final Map<String, Set<String>> dependencies = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sources))
        {
            for (final Path file : files.filter(f -> f.toString().endsWith(".java")).toList())
            {
                final String text = Files.readString(file);
                final Matcher pkg = PACKAGE.matcher(text);
                if (!pkg.find())
                {
                    continue;
                }
                final Set<String> targets = dependencies.computeIfAbsent(pkg.group(1), k -> new TreeSet<>());
                final Matcher imports = IMPORT.matcher(text);
                while (imports.find())
                {
                    final String target = packageOf(imports.group(1));
                    if (!target.equals(pkg.group(1)))
                    {
                        targets.add(target);
                    }
                }
            }
        }
        return dependencies;
    }

    /** The package of an imported name: its lower-case segments (a class and a nested class are capitalised). */
    private static String packageOf(final String name)
    {
        final String[] parts = name.split("\\.");
        int end = parts.length;
        while (end > 0 && Character.isUpperCase(parts[end - 1].charAt(0)))
        {
            end--;
        }
        return String.join(".", java.util.Arrays.copyOf(parts, end));
    }
}
