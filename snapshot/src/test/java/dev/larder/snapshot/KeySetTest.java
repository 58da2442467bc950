package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class KeySetTest {
    private static byte[] key(int i) {
        // Keys of different lengths, some sharing prefixes, so equality must compare length and bytes.
        return ("k" + i + (i % 3 == 0 ? "-long-suffix" : "")).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void findsEveryKeyAddedAcrossGrowthAndForgetsThemOnClear() {
        KeySet set = new KeySet();
        int n = 200_000;
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
                assertEquals(-1, set.add(key(i), key(i).length, i % 7), "new key " + i);
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i % 7, set.add(key(i), key(i).length, 99),
                        "repeated key " + i + " reports its first file");
            }
            set.clear();
        }
        assertEquals(-1, set.add(new byte[0], 0, 1));
        assertEquals(1, set.add(new byte[0], 0, 2));
    }
}
