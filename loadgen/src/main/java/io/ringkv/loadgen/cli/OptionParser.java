package io.ringkv.loadgen.cli;

import io.ringkv.loadgen.workload.CommandTemplate;
import io.ringkv.loadgen.workload.KeyFormat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Parses the command line into {@link LoadOptions} from one table of options, which also renders
 * {@code --help}, so the help can never disagree with the parser. Main thread only.
 */
public final class OptionParser
{
    /** Names the built-in commands accept in {@code --mix}. */
    public static final List<String> BUILT_IN_COMMANDS = List.of("get", "set", "incr", "mget", "del");
    /** Largest value size: every connection buffers at least one whole request. */
    public static final int MAX_VALUE_SIZE = 8 << 20;

    private record Option(
        String name, String shortName, String argName, String defaultText, String help,
        BiConsumer<LoadOptions, String> apply)
    {
        boolean takesValue()
        {
            return argName != null;
        }
    }

    private static final List<Option> OPTIONS = List.of(
        new Option("--host", "-h", "HOST", "127.0.0.1", "server to load",
            (o, v) -> o.target = new TargetAddress(v, o.target.port())),
        new Option("--port", "-p", "PORT", "6379", "server TCP port",
            (o, v) -> o.target = new TargetAddress(o.target.host(), OptionValues.parseInt("--port", v, 1, 65535))),
        new Option("--protocol", null, "resp|json", "resp", "wire protocol: RESP2 or JSON lines",
            (o, v) -> o.protocol = parseEnum("--protocol", v, Protocol.class)),
        new Option("--user", null, "NAME", "(none)", "ACL user for AUTH user password",
            (o, v) -> o.user = v),
        new Option("--password", "-a", "PASSWORD", "(none)", "AUTH password on every connection",
            (o, v) -> o.password = v),
        new Option("--db", null, "N", "0", "database to SELECT",
            (o, v) -> o.db = OptionValues.parseInt("--db", v, 0, 1_000_000)),
        new Option("--connections", "-c", "N", "50", "concurrent connections, one virtual thread each",
            (o, v) -> o.connections = OptionValues.parseInt("--connections", v, 1, 10_000)),
        new Option("--pipeline", "-P", "N", "1",
            "requests per batch on a connection (open loop: most due requests written at once)",
            (o, v) -> o.pipeline = OptionValues.parseInt("--pipeline", v, 1, 10_000)),
        new Option("--duration", "-d", "TIME", "10s", "measured time (10s, 500ms, 2m)",
            (o, v) -> o.durationNs = OptionValues.parseDurationNs("--duration", v, false)),
        new Option("--requests", "-n", "N", "(by duration)", "total measured requests instead of a duration",
            (o, v) -> o.requests = OptionValues.parseLong("--requests", v, 1, Long.MAX_VALUE / 4)),
        new Option("--warmup", null, "TIME", "1s", "load before measuring, excluded from results",
            (o, v) -> o.warmupNs = OptionValues.parseDurationNs("--warmup", v, true)),
        new Option("--rate", "-r", "N[/s]", "(closed loop)",
            "open loop: total requests per second, latency from each intended send time",
            (o, v) -> o.ratePerSecond = OptionValues.parseLong("--rate", stripPerSecond(v), 1, 100_000_000)),
        new Option("--keyspace", "-k", "N", "100000", "number of distinct keys",
            (o, v) -> o.keySpace = OptionValues.parseLong("--keyspace", v, 1, 1L << 48)),
        new Option("--distribution", null, "uniform|zipfian|zipfian-moving|zipfian-scan|sequential", "uniform",
            "how keys are drawn; zipfian-moving: the hot set moves over time; zipfian-scan: with periodic scans "
            + "of never-seen keys",
            (o, v) -> o.distribution = parseEnum("--distribution", v, DistributionKind.class)),
        new Option("--zipf-theta", null, "X", "0.99", "zipfian exponent, > 0 (key of rank k has weight 1/k^X)",
            (o, v) -> o.zipfTheta = OptionValues.parseDouble("--zipf-theta", v, 0, 10)),
        new Option("--hot-set-shift", null, "N", "(keyspace/10)",
            "zipfian-moving: keys the hot set moves by each period, below the key space",
            (o, v) -> o.hotSetShift = OptionValues.parseLong("--hot-set-shift", v, 1, 1L << 48)),
        new Option("--hot-set-period", null, "TIME", "5s", "zipfian-moving: time between moves of the hot set",
            (o, v) -> o.hotSetPeriodNs = OptionValues.parseDurationNs("--hot-set-period", v, false)),
        new Option("--scan-length", null, "N", "(keyspace/10)",
            "zipfian-scan: never-seen keys per scan, shared by the connections",
            (o, v) -> o.scanLength = OptionValues.parseLong("--scan-length", v, 1, 1L << 48)),
        new Option("--scan-period", null, "TIME", "5s", "zipfian-scan: time between scans",
            (o, v) -> o.scanPeriodNs = OptionValues.parseDurationNs("--scan-period", v, false)),
        new Option("--key-prefix", null, "TEXT", "key:", "prefix of every key",
            (o, v) -> o.keyPrefix = v),
        new Option("--key-length", null, "N", "16", "key length in bytes: prefix then zero-padded number",
            (o, v) -> o.keyLength = OptionValues.parseInt("--key-length", v, 1, 1 << 20)),
        new Option("--value-size", null, "N|MIN-MAX", "64",
            "value size in bytes, fixed or uniform in a range, at most 8 MiB",
            OptionParser::applyValueSize),
        new Option("--value-pattern", null, "random|compressible", "random",
            "random bytes (printable for json) or a repeating text",
            OptionParser::applyValuePattern),
        new Option("--mix", "-m", "CMD=W,...", "set=1,get=1",
            "command weights; CMD is get, set, incr, mget, del or a template's name",
            OptionParser::applyMix),
        new Option("--cache-aside", null, null, "off",
            "GET a key and, on a miss, SET it (--value-size); reports the hit ratio; replaces --mix",
            (o, v) -> o.cacheAside = true),
        new Option("--mget-keys", null, "N", "10", "keys per MGET",
            (o, v) -> o.mgetKeys = OptionValues.parseInt("--mget-keys", v, 1, 100_000)),
        new Option("--template", "-t", "'[NAME=]CMD ARG...'", "(none)",
            "extra command; args __key__, __value__, __rand__ are replaced per request; "
            + "NAME (default: lower-case CMD) takes weight 1 unless --mix names it; repeatable",
            (o, v) -> o.templates.add(v)),
        new Option("--preload", null, null, "off", "SET every key of the key space before warm-up",
            (o, v) -> o.preload = true),
        new Option("--out", "-o", "DIR", "loadgen-out", "directory for .hgrm, .hlog, summary.json, chart.html",
            (o, v) -> o.outDir = Path.of(v)),
        new Option("--label", null, "NAME", "main", "name of the main target's results",
            (o, v) -> o.label = checkLabel("--label", v)),
        new Option("--compare", null, "HOST:PORT", "(none)",
            "also load this target, alternating with the main one, and print main/compare ratios",
            (o, v) -> o.compareTarget = TargetAddress.parse("--compare", v)),
        new Option("--compare-label", null, "NAME", "compare", "name of the compare target's results",
            (o, v) -> o.compareLabel = checkLabel("--compare-label", v)),
        new Option("--compare-password", null, "PASSWORD", "(--password)", "AUTH password for the compare target",
            (o, v) ->
            {
                o.comparePassword = v;
                o.comparePasswordSet = true;
            }),
        new Option("--rounds", null, "N", "3", "rounds per target with --compare (medians are reported)",
            (o, v) -> o.rounds = OptionValues.parseInt("--rounds", v, 1, 1000)),
        new Option("--connect-timeout", null, "TIME", "2s", "TCP connect timeout",
            (o, v) -> o.connectTimeoutNs = OptionValues.parseDurationNs("--connect-timeout", v, false)),
        new Option("--timeout", null, "TIME", "5s", "abandon a connection whose replies stop for this long",
            (o, v) -> o.replyTimeoutNs = OptionValues.parseDurationNs("--timeout", v, false)),
        new Option("--seed", null, "N", "(time)", "seed of the key, value and command choices",
            (o, v) ->
            {
                o.seed = OptionValues.parseLong("--seed", v, Long.MIN_VALUE, Long.MAX_VALUE);
                o.seedSet = true;
            }),
        new Option("--no-progress", null, null, "off", "no progress line each second",
            (o, v) -> o.progress = false),
        new Option("--chart", null, "FILE.json...", "(none)",
            "no load: overlay saved summary.json files into DIR/chart.html (all remaining arguments)",
            null),
        new Option("--help", null, null, "", "print this help", (o, v) -> o.help = true));

    private OptionParser()
    {
    }

    /**
     * Parses and validates the arguments.
     *
     * @param args the command line after {@code loadgen}.
     * @return the options.
     * @throws UsageException naming the first bad argument.
     */
    public static LoadOptions parse(final String... args)
    {
        final LoadOptions options = new LoadOptions();
        final Set<String> seen = new HashSet<>();
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            if ("--chart".equals(arg))
            {
                for (i++; i < args.length; i++)
                {
                    options.chartInputs.add(Path.of(args[i]));
                }
                if (options.chartInputs.isEmpty())
                {
                    throw new UsageException("--chart: expected one or more summary .json files");
                }
                break;
            }
            String name = arg;
            String value = null;
            final int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0)
            {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            final Option option = find(name);
            if (option == null)
            {
                throw new UsageException("unknown argument '" + arg + "' (see --help)");
            }
            if (!seen.add(option.name) && !"--template".equals(option.name))
            {
                throw new UsageException(option.name + ": given more than once");
            }
            if (option.takesValue() && value == null)
            {
                if (i + 1 >= args.length)
                {
                    throw new UsageException(option.name + ": missing value " + option.argName);
                }
                value = args[++i];
            }
            else if (!option.takesValue() && value != null)
            {
                throw new UsageException(option.name + ": takes no value, got '" + value + "'");
            }
            option.apply.accept(options, value);
        }
        if (options.help)
        {
            return options;
        }
        validate(options, seen);
        return options;
    }

    /**
     * @return the {@code --help} text: every option with its argument, default and meaning.
     */
    public static String help()
    {
        final StringBuilder out = new StringBuilder(4096);
        out.append("usage: bin/ringkv loadgen [options]\n")
            .append("       bin/ringkv loadgen [--out DIR] --chart run1/summary.json run2/summary.json ...\n\n")
            .append("Loads a RESP or JSON-lines server (ringkv, Redis) and reports latency percentiles.\n\n")
            .append("options (default in brackets):\n");
        for (final Option option : OPTIONS)
        {
            final StringBuilder left = new StringBuilder("  ");
            if (option.shortName != null)
            {
                left.append(option.shortName).append(", ");
            }
            left.append(option.name);
            if (option.takesValue())
            {
                left.append(' ').append(option.argName);
            }
            out.append(left);
            if (left.length() >= 34)
            {
                out.append('\n').append(" ".repeat(34));
            }
            else
            {
                out.append(" ".repeat(34 - left.length()));
            }
            // The default stays in one piece: it is one word for wrapping.
            final List<String> words = new ArrayList<>(List.of(option.help.split(" ")));
            if (!option.defaultText.isEmpty())
            {
                words.add("[" + option.defaultText + "]");
            }
            int column = 34;
            for (final String word : words)
            {
                if (column > 34 && column + 1 + word.length() > 118)
                {
                    out.append('\n').append(" ".repeat(34));
                    column = 34;
                }
                else if (column > 34)
                {
                    out.append(' ');
                    column++;
                }
                out.append(word);
                column += word.length();
            }
            out.append('\n');
        }
        out.append("\nexit status: 0 run completed, 1 run failed (connect, AUTH, connections lost), 2 bad arguments\n");
        return out.toString();
    }

    private static Option find(final String name)
    {
        for (final Option option : OPTIONS)
        {
            if (option.name.equals(name) || name.equals(option.shortName))
            {
                return option;
            }
        }
        return null;
    }

    private static void validate(final LoadOptions options, final Set<String> given)
    {
        final boolean mixGiven = given.contains("--mix");
        validateKeyShape(options, given);
        if (options.cacheAside)
        {
            if (mixGiven || !options.templates.isEmpty())
            {
                throw new UsageException("--cache-aside: runs GET, then SET on a miss; it takes no "
                    + (mixGiven ? "--mix" : "--template"));
            }
            options.mix.clear();
            options.mix.put("get", 1);
        }
        final int minKeyLength = KeyFormat.minimumLength(options.keyPrefix, options.keySpace);
        if (options.keyLength < minKeyLength)
        {
            throw new UsageException("--key-length: " + options.keyLength + " is too short for prefix '"
                + options.keyPrefix + "' and " + options.keySpace + " keys (needs at least " + minKeyLength + ")");
        }
        final List<String> templateNames = new ArrayList<>();
        for (final String text : options.templates)
        {
            final CommandTemplate template;
            try
            {
                template = CommandTemplate.parse(text);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new UsageException(ex.getMessage());
            }
            if (BUILT_IN_COMMANDS.contains(template.name()) || templateNames.contains(template.name()))
            {
                throw new UsageException("--template: the name '" + template.name()
                    + "' is taken; name the template: --template '" + template.name() + "2=" + text + "'");
            }
            templateNames.add(template.name());
            if (!options.mix.containsKey(template.name()))
            {
                options.mix.put(template.name(), 1);
            }
        }
        if (!mixGiven && !templateNames.isEmpty())
        {
            // Templates alone replace the default get/set mix: "--template X" means "run X".
            options.mix.remove("get");
            options.mix.remove("set");
        }
        for (final String name : options.mix.keySet())
        {
            if (!BUILT_IN_COMMANDS.contains(name) && !templateNames.contains(name))
            {
                throw new UsageException("--mix: unknown command '" + name + "' (expected one of "
                    + BUILT_IN_COMMANDS + " or a --template name)");
            }
        }
        if (options.mix.values().stream().mapToLong(Integer::longValue).sum() == 0)
        {
            throw new UsageException("--mix: at least one command needs a weight above 0");
        }
        if (options.user != null && options.password == null)
        {
            throw new UsageException("--user: needs --password as well");
        }
        if (options.compareTarget != null && options.compareLabel.equals(options.label))
        {
            throw new UsageException("--compare-label: must differ from --label ('" + options.label + "')");
        }
        if (options.openLoop() && options.ratePerSecond < options.connections)
        {
            throw new UsageException("--rate: " + options.ratePerSecond + "/s is below one request per second per "
                + "connection (--connections " + options.connections + ")");
        }
        if (options.requests > 0 && options.requests < options.connections)
        {
            throw new UsageException("--requests: " + options.requests + " is fewer than --connections "
                + options.connections);
        }
    }

    /** The moving-hot-set and scan options need their distribution and must fit the key space and format. */
    private static void validateKeyShape(final LoadOptions options, final Set<String> given)
    {
        final DistributionKind kind = options.distribution;
        for (final String name : List.of("--hot-set-shift", "--hot-set-period", "--scan-length", "--scan-period"))
        {
            final DistributionKind needed = name.startsWith("--hot") ?
                DistributionKind.ZIPFIAN_MOVING : DistributionKind.ZIPFIAN_SCAN;
            if (given.contains(name) && kind != needed)
            {
                throw new UsageException(name + ": only with --distribution " + needed.optionName());
            }
        }
        if (kind == DistributionKind.ZIPFIAN_MOVING && options.hotSetShift() >= options.keySpace)
        {
            throw new UsageException("--hot-set-shift: " + options.hotSetShift() + " must be below --keyspace "
                + options.keySpace + " (a shift by the whole key space moves nothing)");
        }
        if (kind == DistributionKind.ZIPFIAN_SCAN)
        {
            if (options.scanLength() > options.keySpace)
            {
                throw new UsageException("--scan-length: " + options.scanLength() + " is more than --keyspace "
                    + options.keySpace);
            }
            // Scan keys are numbered above the key space: leave them room for at least 100 key spaces.
            final int needed = KeyFormat.minimumLength(options.keyPrefix, options.keySpace * 101);
            if (options.keyLength < needed)
            {
                throw new UsageException("--key-length: " + options.keyLength + " leaves no room for the "
                    + "never-seen keys of --distribution zipfian-scan (needs at least " + needed + ")");
            }
        }
    }

    private static void applyMix(final LoadOptions options, final String value)
    {
        options.mix.clear();
        for (final String part : value.split(","))
        {
            final String entry = part.trim();
            final int sep = Math.max(entry.indexOf('='), entry.indexOf(':'));
            if (sep <= 0)
            {
                throw new UsageException("--mix: expected CMD=WEIGHT, got '" + entry + "'");
            }
            final String name = entry.substring(0, sep).trim().toLowerCase(Locale.ROOT);
            if (options.mix.containsKey(name))
            {
                throw new UsageException("--mix: '" + name + "' given twice");
            }
            options.mix.put(name, OptionValues.parseInt("--mix " + name, entry.substring(sep + 1), 0, 1_000_000));
        }
    }

    private static void applyValueSize(final LoadOptions options, final String value)
    {
        final int dash = value.indexOf('-', 1);
        if (dash < 0)
        {
            options.valueSizeMin = OptionValues.parseInt("--value-size", value, 0, MAX_VALUE_SIZE);
            options.valueSizeMax = options.valueSizeMin;
            return;
        }
        options.valueSizeMin = OptionValues.parseInt("--value-size", value.substring(0, dash), 0, MAX_VALUE_SIZE);
        options.valueSizeMax = OptionValues.parseInt("--value-size", value.substring(dash + 1), 0, MAX_VALUE_SIZE);
        if (options.valueSizeMax < options.valueSizeMin)
        {
            throw new UsageException("--value-size: range '" + value + "' has MAX below MIN");
        }
    }

    private static void applyValuePattern(final LoadOptions options, final String value)
    {
        switch (value.toLowerCase(Locale.ROOT))
        {
            case "random" -> options.randomValues = true;
            case "compressible" -> options.randomValues = false;
            default -> throw new UsageException(
                "--value-pattern: expected random or compressible, got '" + value + "'");
        }
    }

    private static String stripPerSecond(final String value)
    {
        return value.endsWith("/s") ? value.substring(0, value.length() - 2) : value;
    }

    private static String checkLabel(final String optionName, final String value)
    {
        if (!value.matches("[A-Za-z0-9._-]{1,64}"))
        {
            throw new UsageException(optionName + ": use 1-64 letters, digits, '.', '_' or '-', got '" + value + "'");
        }
        return value;
    }

    private static <E extends Enum<E>> E parseEnum(final String optionName, final String value, final Class<E> type)
    {
        for (final E constant : type.getEnumConstants())
        {
            if (constant.name().replace('_', '-').equalsIgnoreCase(value))
            {
                return constant;
            }
        }
        final List<String> names = new ArrayList<>();
        for (final E constant : type.getEnumConstants())
        {
            names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        throw new UsageException(
            optionName + ": expected one of " + String.join(", ", names) + ", got '" + value + "'");
    }
}
