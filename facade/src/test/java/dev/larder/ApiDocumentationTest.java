package dev.larder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The build gate javadoc's doclint cannot express: every public type of an exported package has a javadoc comment
 * (doclint checks that references and tags are right, and runs with {@code -missing} so members may go undocumented).
 */
class ApiDocumentationTest {
    /** The exported API packages, by source directory relative to the project root. */
    private static final List<String> EXPORTED = List.of("store/src/main/java/dev/larder/store",
            "ingest/src/main/java/dev/larder/ingest", "facade/src/main/java/dev/larder",
            "micrometer/src/main/java/dev/larder/micrometer");

    @Test
    void everyPublicTypeOfAnExportedPackageIsDocumented() throws Exception {
        List<String> undocumented = new ArrayList<>();
        int types = 0;
        for (String dir : EXPORTED) {
            try (Stream<Path> files = Files.list(Path.of("..").resolve(dir))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).startsWith("public ")) {
                            types++;
                            int j = i - 1;
                            while (j >= 0 && (lines.get(j).startsWith("@") || lines.get(j).isBlank())) {
                                j--;
                            }
                            if (j < 0 || !lines.get(j).trim().endsWith("*/")) {
                                undocumented.add(f.getFileName() + ":" + (i + 1));
                            }
                        }
                    }
                }
            }
        }
        assertTrue(types > 50, "found only " + types + " public types: the source directories moved");
        assertEquals(List.of(), undocumented, "public types without a javadoc comment");
    }
}
