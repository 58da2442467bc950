package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles and runs the embedding example of README.md as it stands, with its two locations (the store directory and
 * the Delta table) pointed at a temporary directory and a generated table: the README cannot drift from the API.
 */
class ReadmeExampleTest {
    static final String STORE = "/var/lib/larder";
    static final String TABLE = "s3a://lake/features/users";

    @TempDir
    Path dir;

    /** The first java block after the heading "## Embedding": its imports and its statements. */
    static List<String> example() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int heading = lines.indexOf("## Embedding (what a model server writes)");
        assertTrue(heading >= 0, "README.md has no embedding section");
        int start = lines.subList(heading, lines.size()).indexOf("```java") + heading + 1;
        int end = lines.subList(start, lines.size()).indexOf("```") + start;
        return lines.subList(start, end);
    }

    @Test
    void theReadmeEmbeddingExampleCompilesAndServesTheTable() throws Exception {
        Path delta = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(1000).numericFeatures(2).float32Features(1).commits(0)
                .rowsPerFile(500).build(), delta);
        StringBuilder imports = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (String line : example()) {
            (line.startsWith("import ") ? imports : body).append(line).append('\n');
        }
        String code = body.toString();
        assertTrue(code.contains('"' + STORE + '"') && code.contains('"' + TABLE + '"'),
                "the example's locations changed");
        code = code.replace(STORE, dir.resolve("store").toString()).replace(TABLE, delta.toString());
        Path src = dir.resolve("src/ReadmeExample.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, imports + "public class ReadmeExample {\n public static void run() throws Exception {\n"
                + code + "}\n}\n");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp",
                System.getProperty("java.class.path"), src.toString());
        assertEquals(0, rc, diagnostics.toString(StandardCharsets.UTF_8));

        PrintStream out = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new java.net.URL[] {classes.toUri().toURL()},
                getClass().getClassLoader())) {
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            loader.loadClass("ReadmeExample").getMethod("run").invoke(null);
        } finally {
            System.setOut(out);
        }
        String line = printed.toString(StandardCharsets.UTF_8);
        assertTrue(line.startsWith("FOUND f_0=") && line.contains(" v0 input=[")
                && line.contains("healthy=true"), line);
        assertTrue(line.contains("lineage=Lineage[sourceId=") && line.contains(delta.getFileName().toString()), line);
    }
}
