package io.ringkv.replication;

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
 * The replication module's packages depend on each other one way only (docs/architecture.md): read from the
 * sources' import lines, no two packages import each other.
 */
class PackageDependencyTest
{
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)\\.[\\w*]+;",
        Pattern.MULTILINE);

    @Test
    void noTwoPackagesImportEachOther() throws IOException
    {
        final Map<String, Set<String>> imports = importsByPackage(Path.of("src/main/java"));
        assertTrue(imports.size() >= 5, "read the module's packages: " + imports.keySet());
        final List<String> cycles = new ArrayList<>();
        for (final Map.Entry<String, Set<String>> entry : imports.entrySet())
        {
            for (final String other : entry.getValue())
            {
                if (entry.getKey().compareTo(other) < 0 && imports.getOrDefault(other, Set.of()).contains(entry.getKey()))
                {
                    cycles.add(entry.getKey() + " <-> " + other);
                }
            }
        }
        assertEquals(List.of(), cycles);
    }

    private static Map<String, Set<String>> importsByPackage(final Path root) throws IOException
    {
        final Map<String, Set<String>> imports = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root))
        {
            for (final Path file : files.filter(path -> path.toString().endsWith(".java")).toList())
            {
                final String source = Files.readString(file);
                final Matcher pkg = PACKAGE.matcher(source);
                if (!pkg.find())
                {
                    continue;
                }
                final Set<String> targets = imports.computeIfAbsent(pkg.group(1), name -> new TreeSet<>());
                final Matcher imported = IMPORT.matcher(source);
                while (imported.find())
                {
                    final String target = packageOf(imported.group(1));
                    if (target.startsWith("io.ringkv.") && !target.equals(pkg.group(1)))
                    {
                        targets.add(target);
                    }
                }
            }
        }
        return imports;
    }

    /** Drops the class names (capitalised segments) of an import, leaving its package. */
    private static String packageOf(final String name)
    {
        final String[] parts = name.split("\\.");
        int end = parts.length;
        while (end > 0 && Character.isUpperCase(parts[end - 1].charAt(0)))
        {
            end--;
        }
        return String.join(".", List.of(parts).subList(0, end));
    }
}
