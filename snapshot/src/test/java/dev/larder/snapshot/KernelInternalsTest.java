package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Delta Kernel's internal classes, which Kernel may change in any release, are used in one file of this module,
 * {@code KernelInternals}: a source that names {@code io.delta.kernel.internal} anywhere else (an import or a
 * qualified name) fails here.
 */
class KernelInternalsTest {
    private static final String INTERNAL = "io.delta.kernel.internal";
    private static final Path SOURCES = Path.of("src/main/java");

    @Test
    void onlyKernelInternalsNamesKernelsInternalPackages() throws IOException {
        List<String> others = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        boolean sawGatherer = false;
        for (Path f : files) {
            List<String> lines = Files.readAllLines(f);
            boolean gatherer = f.endsWith(Path.of("dev/larder/snapshot/KernelInternals.java"));
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(INTERNAL)) {
                    if (gatherer) {
                        sawGatherer = true;
                    } else {
                        others.add(SOURCES.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                    }
                }
            }
        }
        assertTrue(files.size() > 10, "scanned " + files.size() + " sources under " + SOURCES.toAbsolutePath());
        assertTrue(sawGatherer, "KernelInternals names Kernel's internal packages (the scan reads the right tree)");
        assertEquals(List.of(), others, "sources naming " + INTERNAL + " outside KernelInternals");
    }
}
