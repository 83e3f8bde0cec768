package io.ringkv.net.server.command;

import io.ringkv.net.server.config.ConfigOption;
import io.ringkv.net.server.config.ServerConfig;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CONFIG REWRITE, after Redis's rewriteConfig: keeps the file's comments and layout, rewrites each option's line
 * with its current value (dropping repeated lines of the same option), and appends the options that differ from
 * their defaults and had no line. The new file replaces the old one atomically (written beside it, then moved).
 * <p>
 * Runs on the engine thread (CONFIG REWRITE is rare and the file is small).
 */
final class ConfigFileRewriter
{
    private ConfigFileRewriter()
    {
    }

    /**
     * @param config the current configuration; its {@link ServerConfig#configFile()} is rewritten.
     * @return null on success, else the reason.
     */
    static String rewrite(final ServerConfig config)
    {
        final Path file = Path.of(config.configFile());
        try
        {
            final List<String> lines = Files.exists(file) ?
                Files.readAllLines(file, StandardCharsets.ISO_8859_1) : new ArrayList<>();
            final List<String> output = new ArrayList<>();
            final Set<String> written = new HashSet<>();
            for (final String line : lines)
            {
                final String stripped = line.strip();
                if (stripped.isEmpty() || stripped.startsWith("#"))
                {
                    output.add(line);
                    continue;
                }
                final String name = stripped.split("\\s+", 2)[0].toLowerCase(Locale.ROOT);
                final ConfigOption option = config.option(name);
                if (null == option)
                {
                    output.add(line);
                }
                else if (written.add(option.name()))
                {
                    output.add(option.name() + " " + quote(option));
                }
            }
            for (final ConfigOption option : config.options())
            {
                if (!written.contains(option.name()) && !option.text().equals(defaultText(option)))
                {
                    output.add(option.name() + " " + quote(option));
                }
            }
            final Path temporary =
                file.resolveSibling(file.getFileName() + ".rewrite-" + ProcessHandle.current().pid());
            Files.write(temporary, output, StandardCharsets.ISO_8859_1);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return null;
        }
        catch (final IOException | RuntimeException ex)
        {
            return ex.getMessage();
        }
    }

    /** The default as CONFIG GET would print it (memory defaults like "512mb" print in bytes). */
    private static String defaultText(final ConfigOption option)
    {
        if (option.kind() == ConfigOption.Kind.MEMORY)
        {
            return Long.toString(ConfigOption.parseMemory(option.defaultText()));
        }
        return option.defaultText();
    }

    private static String quote(final ConfigOption option)
    {
        final String value = option.text();
        final ConfigOption.Kind kind = option.kind();
        if ((kind == ConfigOption.Kind.WORDS || kind == ConfigOption.Kind.PERCENTILES) && !value.isEmpty())
        {
            return value;
        }
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++)
        {
            final char c = value.charAt(i);
            plain = c > ' ' && c < 127 && c != '"' && c != '\'' && c != '\\';
        }
        if (plain)
        {
            return value;
        }
        final StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default ->
                {
                    if (c < ' ' || c >= 127)
                    {
                        quoted.append(String.format("\\x%02x", (int)c & 0xFF));
                    }
                    else
                    {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}
