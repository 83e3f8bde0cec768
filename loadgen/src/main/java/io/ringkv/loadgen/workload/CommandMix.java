package io.ringkv.loadgen.workload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The weighted commands of a workload. Commands with weight 0 are left out. {@link #next(SplittableRandom)}
 * picks one by a binary search over cumulative weights. Immutable; any thread, each with its own random stream.
 */
public final class CommandMix
{
    private final CommandTemplate[] commands;
    private final long[] cumulativeWeights;
    private final long totalWeight;

    /**
     * @param weights   weight by command name (built-in or template), in report order.
     * @param templates the user's templates, by name lookup.
     * @param mgetKeys  keys per MGET.
     */
    public CommandMix(final Map<String, Integer> weights, final List<CommandTemplate> templates, final int mgetKeys)
    {
        final List<CommandTemplate> chosen = new ArrayList<>();
        final List<Long> cumulative = new ArrayList<>();
        long sum = 0;
        for (final Map.Entry<String, Integer> entry : weights.entrySet())
        {
            if (entry.getValue() <= 0)
            {
                continue;
            }
            CommandTemplate command = null;
            for (final CommandTemplate template : templates)
            {
                if (template.name().equals(entry.getKey()))
                {
                    command = template;
                }
            }
            chosen.add(command != null ? command : CommandTemplate.builtIn(entry.getKey(), mgetKeys));
            sum += entry.getValue();
            cumulative.add(sum);
        }
        if (chosen.isEmpty() || chosen.size() > 250)
        {
            throw new IllegalArgumentException("a mix needs 1 to 250 commands with weight, has " + chosen.size());
        }
        this.commands = chosen.toArray(new CommandTemplate[0]);
        this.cumulativeWeights = cumulative.stream().mapToLong(Long::longValue).toArray();
        this.totalWeight = sum;
    }

    /**
     * @return number of commands.
     */
    public int size()
    {
        return commands.length;
    }

    /**
     * @param index command index.
     * @return the command.
     */
    public CommandTemplate command(final int index)
    {
        return commands[index];
    }

    /**
     * @param index command index.
     * @return the name reports use: the upper-cased command name.
     */
    public String reportName(final int index)
    {
        return commands[index].name().toUpperCase(Locale.ROOT);
    }

    /**
     * @param random the caller's random stream.
     * @return the index of the next command.
     */
    public int next(final SplittableRandom random)
    {
        if (commands.length == 1)
        {
            return 0;
        }
        final long draw = random.nextLong(totalWeight);
        int low = 0;
        int high = cumulativeWeights.length - 1;
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (cumulativeWeights[mid] > draw)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low;
    }
}
