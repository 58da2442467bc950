package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The shared real Delta tables ({@code <repo>/../shared/delta-tables}) and their computed snapshots; tests skip if
 * absent (fail under CI).
 */
public final class SharedTables {
    private static final Pattern SNAPSHOT_FILE = Pattern.compile("snapshot-v(\\d+)\\.jsonl");

    private SharedTables() {
    }

    public static Path root() {
        Path dir = Path.of("..", "..", "shared", "delta-tables").toAbsolutePath().normalize();
        require(dir, "shared Delta tables (expected at <repo>/../shared/delta-tables)", System::getenv);
        return dir;
    }

    /**
     * A table of {@code <repo>/../shared/catalog-managed-tables}: its root, {@code <name>/delta}; skips when absent
     * (fails under CI).
     */
    public static Path catalogManaged(String name) {
        Path dir = root().resolveSibling("catalog-managed-tables").resolve(name);
        require(dir, "shared catalog-managed table", System::getenv);
        return dir.resolve("delta");
    }

    /** The table root, {@code <name>/delta}. */
    public static Path table(String name) {
        return root().resolve(name).resolve("delta");
    }

    /** {@code computed/snapshot-vN.jsonl} by version N. */
    public static TreeMap<Long, Path> snapshots(String table) {
        TreeMap<Long, Path> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(root().resolve(table).resolve("computed"))) {
            s.forEach(p -> {
                Matcher m = SNAPSHOT_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.put(Long.parseLong(m.group(1)), p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** The rows of a computed snapshot, sorted as {@code TableParity.dump} sorts them. */
    public static List<String> expected(Path snapshotFile) {
        try {
            List<String> out = new ArrayList<>();
            for (String l : Files.readAllLines(snapshotFile)) {
                if (!l.isBlank()) {
                    out.add(l);
                }
            }
            out.sort(null);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Skips the calling test when {@code dir} is missing, except under CI ({@code CI=true}), where it fails: a green CI
     * run must mean the real tables were read, not silently skipped. {@code env} looks up environment variables.
     */
    public static void require(Path dir, String what, UnaryOperator<String> env) {
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
