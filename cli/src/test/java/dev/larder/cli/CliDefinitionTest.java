package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code follow --definition} and {@code get --definition --vector}: the CLI serving a definition file. */
class CliDefinitionTest {
    @TempDir
    Path dir;

    @Test
    void followADefinitionThenGetAVectorByName() throws Exception {
        Path users = dir.resolve("users");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(300).numericFeatures(2).float32Features(0).commits(0)
                .rowsPerFile(300).build(), users);
        Path file = dir.resolve("features.yaml");
        Files.writeString(file, """
                store: %s
                tables:
                  users:
                    delta: %s
                    key: entity_id
                    defaults: {f_1: 9.5}
                vectors:
                  ranker:
                    - users.f_1
                    - {feature: users.f_0, default: -1}
                """.formatted(dir.resolve("store"), users));
        CliTest.Run follow = larder("follow", "--definition", file.toString(), "--duration", "2s",
                "--status-every", "1s");
        assertEquals(0, follow.exit(), follow.err());
        assertTrue(follow.out().contains("following " + users + " as users"), follow.out());
        assertTrue(follow.out().contains("users [users] FOLLOWING: watermark v0"), follow.out());

        CliTest.Run found = larder("get", "--definition", file.toString(), "--vector", "ranker", "7");
        assertEquals(0, found.exit(), found.err());
        assertTrue(found.out().startsWith("vector ranker (2 features, 2 from data):"), found.out());
        assertTrue(found.out().contains("  users.f_1 = ") && found.out().contains("(FOUND)"), found.out());
        CliTest.Run missing = larder("get", "--definition", file.toString(), "--vector", "ranker", "100000");
        assertEquals(2, missing.exit(), missing.err());
        assertTrue(missing.out().contains("  users.f_1 = 9.5 (NOT_FOUND)")
                && missing.out().contains("  users.f_0 = -1.0 (NOT_FOUND)"), missing.out());
    }

    @Test
    void aBrokenDefinitionIsRefusedWithItsLine() throws Exception {
        Path file = dir.resolve("broken.yaml");
        Files.writeString(file, "store: " + dir.resolve("s")
                + "\ntables:\n  users:\n    delta: /nowhere\n    key: id\n    tll: 1d\n");
        CliTest.Run follow = larder("follow", "--definition", file.toString(), "--duration", "1s");
        assertEquals(1, follow.exit(), follow.out());
        assertTrue(follow.err().contains(file + ":6: table users: unknown key 'tll'"), follow.err());
        assertTrue(Files.notExists(dir.resolve("s")), "nothing was created");
    }

    /** A deeply nested file overflowed the stack (an Error, printed as a huge trace): now one line naming its line. */
    @Test
    void aDeeplyNestedDefinitionIsOneLineNamingItsLine() throws Exception {
        Path file = dir.resolve("deep.yaml");
        Files.writeString(file, "store: " + dir.resolve("s") + "\ntables:\n  users: " + "[".repeat(100_000) + "\n");
        CliTest.Run follow = larder("follow", "--definition", file.toString(), "--duration", "1s");
        assertEquals(1, follow.exit(), follow.out());
        assertEquals("larder follow: " + file + ":3: nested deeper than 32 levels, far more than a definition takes",
                follow.err().strip());
        assertTrue(Files.notExists(dir.resolve("s")), "nothing was created");
    }
}
