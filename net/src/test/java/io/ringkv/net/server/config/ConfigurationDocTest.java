package io.ringkv.net.server.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/configuration.md true: every option in the table is documented with its default.
 */
class ConfigurationDocTest
{
    @Test
    void everyOptionIsDocumentedWithItsDefault() throws Exception
    {
        final String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (final ConfigOption option : new ServerConfig().options())
        {
            final String defaultText = option.defaultText().isEmpty() ? "(empty)" : option.defaultText();
            final String rowStart = "| `" + option.name() + "`";
            final int row = doc.indexOf(rowStart);
            assertTrue(row >= 0, "docs/configuration.md has no row for " + option.name());
            final String line = doc.substring(row, doc.indexOf('\n', row));
            assertTrue(line.contains("| " + defaultText + " |"),
                "docs/configuration.md gives another default for " + option.name() + ": " + line);
        }
    }
}
