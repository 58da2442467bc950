package dev.larder.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourcePositionFileTest {
    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve(SourcePositionFile.NAME);
    }

    @Test
    void aVersionWrittenAgainAfterARestartIsReadAsWrittenLast() {
        SourcePositionFile f = new SourcePositionFile(file());
        f.restartAt(0, Map.of(0, 0L, 1, 0L));
        f.append(1, Map.of(0, 10L, 1, 5L));
        f.append(2, Map.of(0, 20L, 1, 5L));
        f.close();
        // A crash before version 2 was published: the table reopens at 1, and version 2 is polled again.
        SourcePositionFile reopened = new SourcePositionFile(file());
        assertEquals(Map.of(0, 10L, 1, 5L), reopened.at(1));
        reopened.restartAt(1, reopened.at(1));
        assertNull(reopened.at(2), "entries past the watermark go on restart");
        reopened.append(2, Map.of(0, 12L, 1, 7L));
        reopened.close();
        assertEquals(Map.of(0, 12L, 1, 7L), new SourcePositionFile(file()).at(2));
        assertEquals(Map.of(0, 0L, 1, 0L), new SourcePositionFile(file()).at(0));
    }

    @Test
    void aTornLastLineIsIgnored() throws Exception {
        SourcePositionFile f = new SourcePositionFile(file());
        f.restartAt(0, Map.of(0, 0L));
        f.append(1, Map.of(0, 3L));
        f.close();
        Files.writeString(file(), "2 0:9 deadbe", StandardOpenOption.APPEND);
        SourcePositionFile reopened = new SourcePositionFile(file());
        assertEquals(Map.of(0, 3L), reopened.at(1));
        assertNull(reopened.at(2));
        reopened.restartAt(1, reopened.at(1));
        assertEquals(2, Files.readAllLines(file()).size(), "the torn line is gone after the rewrite");
    }

    @Test
    void compactionKeepsTheNewestVersions() throws Exception {
        SourcePositionFile f = new SourcePositionFile(file());
        f.restartAt(0, Map.of());
        for (long v = 1; v <= 2L * SourcePositionFile.KEEP + 5; v++) {
            f.append(v, Map.of(0, v * 10, 3, v));
        }
        f.close();
        List<String> lines = Files.readAllLines(file());
        assertTrue(lines.size() <= 2 * SourcePositionFile.KEEP, lines.size() + " lines");
        SourcePositionFile reopened = new SourcePositionFile(file());
        long newest = 2L * SourcePositionFile.KEEP + 5;
        assertEquals(Map.of(0, newest * 10, 3, newest), reopened.at(newest));
        assertEquals(Map.of(0, (newest - SourcePositionFile.KEEP + 1) * 10, 3, newest - SourcePositionFile.KEEP + 1),
                reopened.at(newest - SourcePositionFile.KEEP + 1));
        assertNull(reopened.at(1));
        assertNull(new SourcePositionFile(dir.resolve("none")).at(0), "no file: no positions");
    }
}
