package io.ringkv.net.server.command;

import io.ringkv.core.command.CommandContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The sections INFO can print, by name, in the order they print: the server registers its own (server, clients,
 * memory...) and other modules add theirs (replication's details, latencystats) with {@link #add}. A section
 * writer runs on the engine thread while INFO executes, so it may read the keyspace and the commands' counters.
 * <pre>
 *   server.infoSections().add("latencystats", "Latencystats", false, (context, info) ->
 *       info.field("latency_percentiles_usec_get", "p50=1.003,p99=2.007"));
 * </pre>
 * Adding is threadsafe (start-up or any time); writers run only on the engine thread.
 */
public final class InfoSections
{
    /**
     * Writes one section's fields (the header is written for it).
     */
    @FunctionalInterface
    public interface SectionWriter
    {
        /**
         * @param context the engine's command context (keyspace, command table, session of the caller).
         * @param info    where the fields go.
         */
        void write(CommandContext context, InfoWriter info);
    }

    /** One registered section; an explicit-only one prints only when asked for by name. */
    private record Section(String name, String title, boolean inDefault, SectionWriter writer, boolean explicitOnly)
    {
        Section(final String name, final String title, final boolean inDefault, final SectionWriter writer)
        {
            this(name, title, inDefault, writer, false);
        }
    }

    private final List<Section> sections = new CopyOnWriteArrayList<>();

    /**
     * Add a section, or replace the one with the same name keeping its place.
     *
     * @param name      lower-case name INFO takes, e.g. "memory".
     * @param title     header text, e.g. "Memory".
     * @param inDefault printed by INFO without arguments (and "default"); all sections print for "all"/"everything".
     * @param writer    writes its fields.
     */
    public void add(final String name, final String title, final boolean inDefault, final SectionWriter writer)
    {
        final Section section = new Section(name.toLowerCase(Locale.ROOT), title, inDefault, writer);
        for (int i = 0; i < sections.size(); i++)
        {
            if (sections.get(i).name().equals(section.name()))
            {
                sections.set(i, section);
                return;
            }
        }
        sections.add(section);
    }

    /**
     * Add a section INFO prints only when asked for by name, never for "all" or "everything" (ringkv's own
     * sections meant for a tool, such as the console's latency curves, stay out of what a Redis user reads).
     *
     * @param name   lower-case name INFO takes.
     * @param title  header text.
     * @param writer writes its fields.
     */
    public void addExplicit(final String name, final String title, final SectionWriter writer)
    {
        final Section section = new Section(name.toLowerCase(Locale.ROOT), title, false, writer, true);
        sections.removeIf(existing -> existing.name().equals(section.name()));
        sections.add(section);
    }

    /**
     * Add a section right after another one (Redis prints latencystats after errorstats), or at the end when that
     * one is not registered; a section of the same name is replaced first.
     *
     * @param after     name of the section to follow.
     * @param name      lower-case name INFO takes.
     * @param title     header text.
     * @param inDefault printed by INFO without arguments.
     * @param writer    writes its fields.
     */
    public void addAfter(
        final String after, final String name, final String title, final boolean inDefault, final SectionWriter writer)
    {
        final Section section = new Section(name.toLowerCase(Locale.ROOT), title, inDefault, writer);
        sections.removeIf(existing -> existing.name().equals(section.name()));
        for (int i = 0; i < sections.size(); i++)
        {
            if (sections.get(i).name().equals(after))
            {
                sections.add(i + 1, section);
                return;
            }
        }
        sections.add(section);
    }

    /**
     * @return the section names in print order.
     */
    public List<String> names()
    {
        final List<String> names = new ArrayList<>();
        for (final Section section : sections)
        {
            names.add(section.name());
        }
        return names;
    }

    /**
     * Write the requested sections, Redis's way: no argument or "default" = the default sections, "all" and
     * "everything" = every section, other names (any case) pick sections; unknown names are ignored.
     *
     * @param requested section names as given; empty for the default set.
     * @param context   the engine's command context.
     * @return INFO's text.
     */
    public String render(final List<String> requested, final CommandContext context)
    {
        boolean all = false;
        boolean defaults = requested.isEmpty();
        final List<String> names = new ArrayList<>();
        for (final String name : requested)
        {
            final String lower = name.toLowerCase(Locale.ROOT);
            switch (lower)
            {
                case "all", "everything" -> all = true;
                case "default" -> defaults = true;
                default -> names.add(lower);
            }
        }
        final InfoWriter info = new InfoWriter();
        for (final Section section : sections)
        {
            if ((!section.explicitOnly() && (all || (defaults && section.inDefault()))) ||
                names.contains(section.name()))
            {
                info.section(section.title());
                section.writer().write(context, info);
            }
        }
        return info.toString();
    }
}
