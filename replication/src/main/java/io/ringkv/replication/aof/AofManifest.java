package io.ringkv.replication.aof;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Redis 7.0's multi-part AOF manifest: one line per file, {@code file <name> seq <n> type <b|i|h>}, the base file
 * (type b) first, then the incremental files (type i) in order. An immutable value; {@link #write} replaces the
 * file atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * @param base     the base file's name, or null when there is none yet.
 * @param baseSeq  its sequence number.
 * @param incrs    the incremental files' names, oldest first.
 * @param incrSeqs their sequence numbers.
 */
record AofManifest(String base, long baseSeq, List<String> incrs, List<Long> incrSeqs)
{
    static final String BASE_SUFFIX = ".base.aof";
    static final String RDB_BASE_SUFFIX = ".base.rdb";
    static final String INCR_SUFFIX = ".incr.aof";
    static final String MANIFEST_SUFFIX = ".manifest";

    static String manifestName(final String fileName)
    {
        return fileName + MANIFEST_SUFFIX;
    }

    static String baseName(final String fileName, final long seq)
    {
        return baseName(fileName, seq, false);
    }

    /**
     * @param rdb true for a base written as an RDB file (aof-use-rdb-preamble yes), named as Redis 7.0 names it.
     */
    static String baseName(final String fileName, final long seq, final boolean rdb)
    {
        return fileName + "." + seq + (rdb ? RDB_BASE_SUFFIX : BASE_SUFFIX);
    }

    static String incrName(final String fileName, final long seq)
    {
        return fileName + "." + seq + INCR_SUFFIX;
    }

    long lastIncrSeq()
    {
        return incrSeqs.isEmpty() ? 0 : incrSeqs.get(incrSeqs.size() - 1);
    }

    /**
     * @return this manifest with one more incremental file.
     */
    AofManifest withIncr(final String name, final long seq)
    {
        final List<String> names = new ArrayList<>(incrs);
        final List<Long> seqs = new ArrayList<>(incrSeqs);
        names.add(name);
        seqs.add(seq);
        return new AofManifest(base, baseSeq, List.copyOf(names), List.copyOf(seqs));
    }

    /**
     * Read a manifest as Redis's aofLoadManifestFromFile does: '#' comments and blank lines skipped, a line that is
     * not {@code file <name> seq <n> type <t>} refused, history files (type h) ignored.
     *
     * @throws IOException naming the line when the manifest is invalid.
     */
    static AofManifest read(final Path path) throws IOException
    {
        String base = null;
        long baseSeq = 0;
        final List<String> incrs = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();
        int lineNumber = 0;
        for (final String raw : Files.readAllLines(path, StandardCharsets.UTF_8))
        {
            lineNumber++;
            final String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#"))
            {
                continue;
            }
            final String[] words = line.split("\\s+");
            String name = null;
            long seq = -1;
            String type = null;
            for (int i = 0; i + 1 < words.length; i += 2)
            {
                switch (words[i])
                {
                    case "file" -> name = words[i + 1];
                    case "seq" -> seq = parseSeq(words[i + 1], path, lineNumber);
                    case "type" -> type = words[i + 1];
                    default ->
                    {
                        // Unknown keys are skipped, as Redis does for forward compatibility.
                    }
                }
            }
            if (words.length % 2 != 0 || name == null || seq < 0 || type == null || type.length() != 1)
            {
                throw new IOException("Invalid AOF manifest file format: " + path + " line " + lineNumber);
            }
            switch (type.charAt(0))
            {
                case 'b' ->
                {
                    if (base != null)
                    {
                        throw new IOException("Found duplicate base file information in " + path);
                    }
                    base = name;
                    baseSeq = seq;
                }
                case 'i' ->
                {
                    if (!seqs.isEmpty() && seq <= seqs.get(seqs.size() - 1))
                    {
                        throw new IOException("Found a non-monotonic sequence number in " + path + " line " +
                            lineNumber);
                    }
                    incrs.add(name);
                    seqs.add(seq);
                }
                case 'h' ->
                {
                    // A history file waiting to be deleted: not part of the data.
                }
                default -> throw new IOException("Unknown AOF file type '" + type + "' in " + path + " line " +
                    lineNumber);
            }
        }
        if (base == null && incrs.isEmpty())
        {
            throw new IOException("Found an empty AOF manifest " + path);
        }
        return new AofManifest(base, baseSeq, List.copyOf(incrs), List.copyOf(seqs));
    }

    private static long parseSeq(final String text, final Path path, final int lineNumber) throws IOException
    {
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IOException("Invalid AOF manifest file format: " + path + " line " + lineNumber, ex);
        }
    }

    String text()
    {
        final StringBuilder text = new StringBuilder();
        if (base != null)
        {
            text.append("file ").append(base).append(" seq ").append(baseSeq).append(" type b\n");
        }
        for (int i = 0; i < incrs.size(); i++)
        {
            text.append("file ").append(incrs.get(i)).append(" seq ").append(incrSeqs.get(i)).append(" type i\n");
        }
        return text.toString();
    }

    /**
     * Replace the manifest in {@code directory} atomically.
     */
    void write(final Path directory, final String fileName) throws IOException
    {
        final Path temp = directory.resolve("temp-" + manifestName(fileName));
        Durable.write(temp, text().getBytes(StandardCharsets.UTF_8));
        Files.move(temp, directory.resolve(manifestName(fileName)), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        Durable.fsyncDirectory(directory);
    }
}
