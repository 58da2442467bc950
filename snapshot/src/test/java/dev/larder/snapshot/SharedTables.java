package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/** Locates the shared real Delta tables ({@code <repo>/../shared/delta-tables}); tests skip if absent (fail in CI). */
final class SharedTables {
    private SharedTables() {
    }

    /** The tables directory; skips the calling test (fails it under CI) when not checked out next to the repo. */
    static Path root() {
        Path dir = Path.of("..", "..", "shared", "delta-tables").toAbsolutePath().normalize();
        require(dir, "shared Delta tables (expected at <repo>/../shared/delta-tables)", System::getenv);
        return dir;
    }

    /**
     * A table of {@code <repo>/../shared/catalog-managed-tables} (its root, {@code <name>/delta}); skips when absent
     * (fails under CI).
     */
    static Path catalogManaged(String name) {
        Path dir = root().resolveSibling("catalog-managed-tables").resolve(name);
        require(dir, "shared catalog-managed table", System::getenv);
        return dir.resolve("delta");
    }

    static Path table(String name) {
        return root().resolve(name).resolve("delta");
    }

    static List<String> names() {
        try (Stream<Path> s = Files.list(root())) {
            List<String> out = new ArrayList<>();
            s.filter(p -> Files.isDirectory(p.resolve("delta"))).forEach(p -> out.add(p.getFileName().toString()));
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> lines(Path file) {
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank()) {
                    out.add(l);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a shared table to {@code target} (to damage the copy) without the Hadoop checksum sidecars. */
    static Path copyWithoutChecksums(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path p : files.toList()) {
                if (!p.getFileName().toString().endsWith(".crc")) {
                    Path to = target.resolve(source.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        return target;
    }

    /**
     * Skips the calling test when {@code dir} is missing, except under CI ({@code CI=true}), where it fails: a green CI
     * run must mean the real tables were read, not silently skipped. {@code env} looks up environment variables.
     */
    static void require(Path dir, String what, UnaryOperator<String> env) {
        if (Files.isDirectory(dir)) {
            return;
        }
        String missing = what + " not found at " + dir;
        if (Boolean.parseBoolean(env.apply("CI"))) {
            fail(missing + "; CI (CI=true) requires it, so the tests that read real tables cannot skip");
        }
        assumeTrue(false, missing + "; skipping tests that read real tables");
    }
}
