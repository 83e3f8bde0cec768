package io.ringkv.net.server.config;

import io.ringkv.core.engine.RequestBatch;
import io.ringkv.core.codec.InlineSplitter;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills a {@link ServerConfig} from a redis.conf-syntax file and from command-line options, in that order, so the
 * command line wins. An unknown or malformed option stops start-up with a {@link ConfigException} naming it.
 * <p>
 * Used once, on the start-up thread.
 */
public final class ConfigLoader
{
    private final ServerConfig config;

    public ConfigLoader(final ServerConfig config)
    {
        this.config = config;
    }

    /**
     * Apply the launcher's arguments: {@code --config FILE} (also Redis's positional first argument form) and any
     * option as {@code --name value [value...]}, e.g. {@code --port 7000 --replicaof 127.0.0.1 6379}.
     *
     * @param args the command line after the subcommand.
     * @throws ConfigException naming the bad option, file line or argument.
     */
    public void load(final String[] args) throws ConfigException
    {
        final List<List<String>> directives = new ArrayList<>();
        String configFile = null;
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--"))
        {
            configFile = args[0];
            i = 1;
        }
        while (i < args.length)
        {
            final String arg = utf8Bytes(args[i]);
            if (!arg.startsWith("--") || arg.length() == 2)
            {
                throw new ConfigException("bad argument '" + arg + "': options are written --name value");
            }
            final List<String> directive = new ArrayList<>();
            directive.add(arg.substring(2));
            i++;
            while (i < args.length && !args[i].startsWith("--"))
            {
                directive.add(utf8Bytes(args[i]));
                i++;
            }
            if ("config".equalsIgnoreCase(directive.get(0)))
            {
                if (directive.size() != 2)
                {
                    throw new ConfigException("bad option '--config': it takes one file name");
                }
                configFile = args[i - 1];
            }
            else
            {
                directives.add(directive);
            }
        }

        if (null != configFile)
        {
            loadFile(Path.of(configFile));
        }
        for (final List<String> directive : directives)
        {
            final String error = apply(directive);
            if (null != error)
            {
                throw new ConfigException("bad option '--" + directive.get(0) + "': " + error);
            }
        }
    }

    /**
     * Apply every directive of a redis.conf-syntax file: {@code name value...} per line, {@code #} comments, blank
     * lines, and Redis's quoting ("..." with escapes, '...').
     *
     * @param file the file.
     * @throws ConfigException naming the file, line number and the reason, as Redis's fatal config error does.
     */
    public void loadFile(final Path file) throws ConfigException
    {
        final String[] lines;
        try
        {
            // Bytes as they are (one char per byte), as Redis reads its file: a value may be in any encoding.
            lines = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).split("\n", -1);
        }
        catch (final IOException ex)
        {
            throw new ConfigException("can't read config file '" + file + "': " + ex.getMessage());
        }
        config.configFile(file.toAbsolutePath().toString());
        for (int lineNumber = 1; lineNumber <= lines.length; lineNumber++)
        {
            final String line = lines[lineNumber - 1].strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final List<String> words = splitWords(line);
            final String error = null == words ? "Unbalanced quotes in configuration line" : apply(words);
            if (null != error)
            {
                throw new ConfigException("config file '" + file + "', line " + lineNumber + ": '" +
                    new String(line.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8) + "': " + error);
            }
        }
    }

    /**
     * An option given on the command line, as the bytes the user typed: the JVM decoded them from the locale's
     * encoding (UTF-8), so they are encoded back, one char per byte, as every option value is held.
     */
    static String utf8Bytes(final String arg)
    {
        return new String(arg.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    /**
     * Split a line with Redis's quoting rules, using the same splitter as inline commands.
     *
     * @param line the directive.
     * @return its words, or null when quotes are unbalanced.
     */
    static List<String> splitWords(final String line)
    {
        final byte[] bytes = line.getBytes(StandardCharsets.ISO_8859_1);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final RequestBatch batch = new RequestBatch(null, null);
        batch.reset(buffer);
        final int count = InlineSplitter.split(buffer, 0, bytes.length, batch);
        if (count < 0)
        {
            return null;
        }
        batch.endRequest(RequestBatch.VALUE_RAW);
        final List<String> words = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int arg = batch.firstArg(0) + i;
            words.add(new String(bytes, batch.argOffset(arg), batch.argLength(arg), StandardCharsets.ISO_8859_1));
        }
        return words;
    }

    private String apply(final List<String> directive)
    {
        if (directive.isEmpty())
        {
            return null;
        }
        final ConfigOption option = config.option(directive.get(0));
        if (null == option)
        {
            return "Bad directive or wrong number of arguments";
        }
        final boolean takesWords =
            option.kind() == ConfigOption.Kind.WORDS || option.kind() == ConfigOption.Kind.PERCENTILES;
        if (directive.size() < 2 || (!takesWords && directive.size() != 2))
        {
            return "Bad directive or wrong number of arguments";
        }
        final String value = takesWords ? String.join(" ", directive.subList(1, directive.size())) : directive.get(1);
        final String error = option.set(value);
        return error;
    }
}
