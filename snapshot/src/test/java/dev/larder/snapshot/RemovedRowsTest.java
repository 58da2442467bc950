package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RemovedRowsTest {
    private static byte[] key(int i) {
        // Keys of different lengths, some sharing prefixes, so equality must compare length and bytes.
        return ("k" + i + (i % 3 == 0 ? "-long-suffix" : "")).getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> unclaimed(RemovedRows rows) {
        List<String> out = new ArrayList<>();
        rows.forEachUnclaimed((arena, offset, length) ->
                out.add(new String(arena, offset, length, StandardCharsets.UTF_8)));
        return out;
    }

    @Test
    void claimsEachRemovalOnceAcrossGrowthAndLeavesTheRestAsDeletesInRemovalOrder() {
        RemovedRows rows = new RemovedRows();
        int n = 100_000;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
                byte[] k = key(i);
                rows.put(k, k.length, i * 31L);
            }
            for (int i = 0; i < n; i += 2) {
                byte[] k = key(i);
                int entry = rows.find(k, k.length);
                assertTrue(entry >= 0, "removed key " + i);
                assertEquals(i * 31L, rows.valueHash(entry));
                assertEquals(-1, rows.claimedBy(entry));
                rows.claim(entry, i % 5);
                assertEquals(i % 5, rows.claimedBy(rows.find(k, k.length)),
                        "a second addition sees the first one's file");
            }
            byte[] absent = key(n + 1);
            assertEquals(-1, rows.find(absent, absent.length));
            List<String> left = unclaimed(rows);
            assertEquals(n / 2, left.size());
            for (int j = 0; j < left.size(); j++) {
                assertEquals(new String(key(2 * j + 1), StandardCharsets.UTF_8), left.get(j));
            }
            rows.clear();
            assertEquals(List.of(), unclaimed(rows));
        }
    }

    @Test
    void aKeyRemovedAgainKeepsItsFirstPlaceAndTheLastHash() {
        RemovedRows rows = new RemovedRows();
        byte[] a = key(1);
        byte[] b = key(2);
        rows.put(a, a.length, 1);
        rows.put(b, b.length, 2);
        rows.put(a, a.length, 3);
        assertEquals(List.of("k1", "k2"), unclaimed(rows));
        assertEquals(3, rows.valueHash(rows.find(a, a.length)));
        rows.claim(rows.find(a, a.length), 0);
        assertEquals(List.of("k2"), unclaimed(rows));
        // The scratch buffer a caller reuses may be longer than the key: only the given length counts.
        byte[] longer = "k2-and-more".getBytes(StandardCharsets.UTF_8);
        int k2 = rows.find(longer, 2);
        assertEquals(2, rows.valueHash(k2));
        rows.claim(k2, 0);
        assertEquals(List.of(), unclaimed(rows));
    }
}
