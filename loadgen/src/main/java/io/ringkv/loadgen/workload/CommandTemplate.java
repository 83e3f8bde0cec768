package io.ringkv.loadgen.workload;


import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One command of the mix as a list of arguments, each a literal or a placeholder filled per request:
 * {@code __key__} (a key from the distribution), {@code __value__} (a value from the pool) and {@code __rand__}
 * (a random number below the key space). The built-in GET, SET, INCR, DEL and MGET are templates too.
 * Immutable; any thread.
 * <pre>
 *   --template 'HSET __key__ field __value__'        name "hset"
 *   --template 'lpush=LPUSH list:__rand__ __value__'  placeholders are whole arguments only, so this is literal
 * </pre>
 */
public final class CommandTemplate
{
    /** Argument kind: literal bytes. */
    public static final int LITERAL = 0;
    /** Argument kind: a key drawn from the distribution. */
    public static final int KEY = 1;
    /** Argument kind: a value from the pool. */
    public static final int VALUE = 2;
    /** Argument kind: a random number in {@code [0, keySpace)}. */
    public static final int RAND = 3;

    /** JSON shape: generic {@code {"cmd":"NAME","args":[...]}}. */
    public static final int JSON_GENERIC = 0;
    /** JSON shape: {@code {"cmd":"get","key":...}}. */
    public static final int JSON_KEY = 1;
    /** JSON shape: {@code {"cmd":"set","key":...,"value":...}}. */
    public static final int JSON_KEY_VALUE = 2;

    private final String name;
    private final byte[] nameBytes;
    private final int[] kinds;
    private final byte[][] literals;
    private final int jsonShape;

    private CommandTemplate(final String name, final int[] kinds, final byte[][] literals, final int jsonShape)
    {
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.kinds = kinds;
        this.literals = literals;
        this.jsonShape = jsonShape;
    }

    /**
     * Parses {@code [name=]COMMAND arg ...}, arguments separated by white space.
     *
     * @param text as given to {@code --template}.
     * @return the template.
     * @throws IllegalArgumentException if empty or the name is malformed.
     */
    public static CommandTemplate parse(final String text)
    {
        String body = text.trim();
        String name = null;
        final int eq = body.indexOf('=');
        final int space = firstSpace(body);
        if (eq > 0 && (space < 0 || eq < space))
        {
            name = body.substring(0, eq).toLowerCase(Locale.ROOT);
            body = body.substring(eq + 1).trim();
            if (!name.matches("[a-z0-9_.-]{1,32}"))
            {
                throw new IllegalArgumentException("--template: name '" + name + "' must be 1-32 letters, digits, '_', '.', '-'");
            }
        }
        final String[] words = body.isEmpty() ? new String[0] : body.split("\\s+");
        if (words.length == 0)
        {
            throw new IllegalArgumentException("--template: empty command in '" + text + "'");
        }
        if (name == null)
        {
            name = words[0].toLowerCase(Locale.ROOT);
            if (!name.matches("[a-z0-9_.-]{1,32}"))
            {
                throw new IllegalArgumentException("--template: cannot name '" + text + "'; write NAME=" + text);
            }
        }
        final int[] kinds = new int[words.length];
        final byte[][] literals = new byte[words.length][];
        for (int i = 0; i < words.length; i++)
        {
            kinds[i] = switch (words[i])
            {
                case "__key__" -> KEY;
                case "__value__" -> VALUE;
                case "__rand__" -> RAND;
                default -> LITERAL;
            };
            literals[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        if (kinds[0] != LITERAL)
        {
            throw new IllegalArgumentException("--template: the command name cannot be a placeholder in '" + text + "'");
        }
        return new CommandTemplate(name, kinds, literals, JSON_GENERIC);
    }

    /**
     * @param name      one of get, set, incr, del, mget.
     * @param mgetKeys  keys per MGET.
     * @return the built-in command.
     */
    public static CommandTemplate builtIn(final String name, final int mgetKeys)
    {
        return switch (name)
        {
            case "get" -> fixed(name, JSON_KEY, LITERAL, KEY);
            case "incr" -> fixed(name, JSON_KEY, LITERAL, KEY);
            case "del" -> fixed(name, JSON_KEY, LITERAL, KEY);
            case "set" -> fixed(name, JSON_KEY_VALUE, LITERAL, KEY, VALUE);
            case "mget" ->
            {
                final int[] kinds = new int[mgetKeys + 1];
                java.util.Arrays.fill(kinds, KEY);
                kinds[0] = LITERAL;
                yield fixed(name, JSON_GENERIC, kinds);
            }
            default -> throw new IllegalArgumentException("not a built-in command: " + name);
        };
    }

    private static CommandTemplate fixed(final String name, final int jsonShape, final int... kinds)
    {
        final byte[][] literals = new byte[kinds.length][];
        literals[0] = name.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return new CommandTemplate(name, kinds, literals, jsonShape);
    }

    private static int firstSpace(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            if (Character.isWhitespace(text.charAt(i)))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * @return the name used in {@code --mix} and in reports (reports upper-case it).
     */
    public String name()
    {
        return name;
    }

    /**
     * @return {@link #name()} as UTF-8 bytes; callers must not modify them.
     */
    public byte[] nameBytes()
    {
        return nameBytes;
    }

    /**
     * @return the number of arguments including the command name.
     */
    public int argumentCount()
    {
        return kinds.length;
    }

    /**
     * @param i argument index.
     * @return {@link #LITERAL}, {@link #KEY}, {@link #VALUE} or {@link #RAND}.
     */
    public int kind(final int i)
    {
        return kinds[i];
    }

    /**
     * @param i argument index of a literal.
     * @return its bytes; callers must not modify them.
     */
    public byte[] literal(final int i)
    {
        return literals[i];
    }

    /**
     * @return {@link #JSON_GENERIC}, {@link #JSON_KEY} or {@link #JSON_KEY_VALUE}.
     */
    public int jsonShape()
    {
        return jsonShape;
    }

    /**
     * @param keyLength   bytes per key.
     * @param maxValue    largest value.
     * @param randDigits  digits of the largest {@code __rand__}.
     * @return an upper bound of the bytes any encoder writes for one request of this command.
     */
    public int maxEncodedLength(final int keyLength, final int maxValue, final int randDigits)
    {
        long total = 64;
        for (int i = 0; i < kinds.length; i++)
        {
            final long payload = switch (kinds[i])
            {
                case KEY -> 6L * keyLength;
                case VALUE -> maxValue;
                case RAND -> randDigits;
                default -> 6L * literals[i].length;
            };
            // Worst case over RESP ("$len\r\n...\r\n") and JSON (escaped "...", comma).
            total += payload + 24;
        }
        return (int)Math.min(Integer.MAX_VALUE - 16, total);
    }

    /**
     * @return the template as text, placeholders included.
     */
    @Override
    public String toString()
    {
        final List<String> words = new ArrayList<>();
        for (int i = 0; i < kinds.length; i++)
        {
            words.add(switch (kinds[i])
            {
                case KEY -> "__key__";
                case VALUE -> "__value__";
                case RAND -> "__rand__";
                default -> new String(literals[i], StandardCharsets.UTF_8);
            });
        }
        return String.join(" ", words);
    }
}
