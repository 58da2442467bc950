package dev.larder.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example is what an application writes: its sources name Larder only through {@code dev.larder}, never an
 * engine package ({@code dev.larder.store}, {@code .ingest}, {@code .snapshot}, ...).
 */
class ImportsTest {
    /** A Larder type outside the facade's package, imported or named in full. */
    private static final Pattern ENGINE = Pattern.compile("\\bdev\\.larder\\.(?!examples\\.)[a-z]\\w*\\.");

    @Test
    void theExampleNamesOnlyTheFacade() throws IOException {
        List<Path> sources;
        try (Stream<Path> s = Files.walk(Path.of("src", "main", "java"))) {
            sources = s.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertTrue(sources.stream().anyMatch(p -> p.endsWith("ModelServer.java")), sources.toString());
        for (Path p : sources) {
            List<String> engine = Files.readAllLines(p).stream().filter(l -> ENGINE.matcher(l).find()).toList();
            assertEquals(List.of(), engine, p + " names an engine package");
        }
    }

    @Test
    void theCheckSeesAnEngineType() {
        assertTrue(ENGINE.matcher("import dev.larder.store.ReadStatus;").find());
        assertTrue(ENGINE.matcher("dev.larder.ingest.LarderEngine e;").find());
        assertTrue(!ENGINE.matcher("import dev.larder.ReadStatus;").find());
        assertTrue(!ENGINE.matcher("package dev.larder.examples;").find());
    }
}
