package dev.larder.snapshot.trainset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Labels read from CSV: quoting, column types, and every form of event time. */
class LabelsTest {
    @TempDir
    Path dir;

    @Test
    void csvCellsAreTypedAndTimesReadInEveryForm() throws Exception {
        Path file = dir.resolve("labels.csv");
        Files.writeString(file, String.join("\n",
                "user,at,score,note,flag",
                "1,1796663308123,0.5,\"a, quoted \"\"note\"\"\",true",
                "2,2026-11-03T10:15:30Z,1,,false",
                "3,2026-11-03T10:15:30.250+02:00,2,\"two",
                "lines\",true",
                "4,2026-11-03 10:15:30,,plain,",
                "5,2026-11-03,3,x,false", ""));
        Labels labels = Labels.csv(file, "at");
        assertEquals(5, labels.size());
        assertEquals(List.of(Labels.Kind.LONG, Labels.Kind.TIMESTAMP, Labels.Kind.DOUBLE, Labels.Kind.STRING,
                Labels.Kind.BOOLEAN), labels.columns().stream().map(Labels.Column::kind).toList());
        long[] expected = {1796663308123L, Instant.parse("2026-11-03T10:15:30Z").toEpochMilli(),
            Instant.parse("2026-11-03T08:15:30.250Z").toEpochMilli(),
            Instant.parse("2026-11-03T10:15:30Z").toEpochMilli(), Instant.parse("2026-11-03T00:00:00Z").toEpochMilli()};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], labels.timeMillis(i), "label " + i);
        }
        assertEquals(Arrays.asList("a, quoted \"note\"", null, "two\nlines", "plain", "x"),
                labels.columns().get(3).values());
        assertEquals(Arrays.asList(0.5, 1.0, 2.0, null, 3.0), labels.columns().get(2).values());
        assertEquals(Arrays.asList(true, false, true, null, false), labels.columns().get(4).values());
    }

    @Test
    void aTimeThatIsNoTimeIsRefusedNamingTheFileLineAndColumn() throws Exception {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, "user,at\n1,2026-11-03T10:15:30Z\n2,yesterday\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Labels.csv(file, "at"));
        assertTrue(e.getMessage().contains(file + ", line 3, column at: 'yesterday'"), e.getMessage());
        Files.writeString(file, "user,at\n1,2,3\n");
        IllegalArgumentException cells = assertThrows(IllegalArgumentException.class, () -> Labels.csv(file, "at"));
        assertTrue(cells.getMessage().contains(file + ", line 2: 3 cells, but the header has 2"), cells.getMessage());
    }
}
