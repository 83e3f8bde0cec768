package io.ringkv.net.server.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the data lines of a UTF-8 text resource packaged next to a class: every line but empty ones and
 * {@code #} comments, in order. The command tables (catalog, argument trees) are loaded this way once at start-up.
 * Stateless; any thread may call it.
 */
final class ResourceLines
{
    private ResourceLines()
    {
    }

    /**
     * @param owner    the class whose package holds the resource.
     * @param resource file name relative to that package.
     * @return the data lines.
     * @throws IOException when the resource is missing or cannot be read.
     */
    static List<String> read(final Class<?> owner, final String resource) throws IOException
    {
        try (InputStream in = owner.getResourceAsStream(resource))
        {
            if (null == in)
            {
                throw new IOException("resource " + resource + " not found");
            }
            final BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            final List<String> lines = new ArrayList<>();
            String line;
            while ((line = reader.readLine()) != null)
            {
                if (!line.isEmpty() && !line.startsWith("#"))
                {
                    lines.add(line);
                }
            }
            return lines;
        }
    }
}
