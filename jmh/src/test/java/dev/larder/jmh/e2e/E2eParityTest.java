package dev.larder.jmh.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.jmh.systems.RedisServer;
import dev.larder.jmh.systems.SystemUnavailableException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The end-to-end scenario's sources feed the model the same values: Larder's three tables (loaded through the push
 * API, read through one feature vector) and Redis's values against the plain array, feature for feature (and, for
 * Larder, score for score), for single entities and a ranking batch. Parity, not timing.
 */
class E2eParityTest {
    private static final int KEYS = 500;

    @TempDir
    Path dir;

    @Test
    void larderFeedsTheModelWhatTheArrayDoes() {
        try (FeatureSource larder = FeatureSources.create(FeatureSources.LARDER, dir);
             FeatureSource array = FeatureSources.create(FeatureSources.ARRAY, dir);
             ScoringModel model = ScoringModel.train()) {
            larder.load(KEYS);
            array.load(KEYS);
            FeatureSource.Fetcher fromLarder = larder.newFetcher();
            FeatureSource.Fetcher fromArray = array.newFetcher();
            float[] expected = new float[E2eData.FEATURES];
            float[] a = new float[E2eData.FEATURES];
            float[] l = new float[E2eData.FEATURES];
            float[] scoreA = new float[1];
            float[] scoreL = new float[1];
            float[] seen = new float[KEYS];
            for (long key : new long[] {0, 1, 17, 250, KEYS - 1}) {
                E2eData.entity(key, expected, 0);
                assertEquals(E2eData.FEATURES, fromArray.fetch(key, a));
                assertEquals(E2eData.FEATURES, fromLarder.fetch(key, l), "features found for entity " + key);
                assertArrayEquals(expected, a, "array, entity " + key);
                assertArrayEquals(expected, l, "Larder, entity " + key);
                model.score(a, 1, scoreA);
                model.score(l, 1, scoreL);
                assertEquals(scoreA[0], scoreL[0], "score of entity " + key);
                assertTrue(scoreA[0] > 0 && scoreA[0] < 1, "a probability: " + scoreA[0]);
                seen[(int) key] = scoreA[0];
            }

            long[] candidates = new long[E2eData.CANDIDATES];
            for (int i = 0; i < candidates.length; i++) {
                candidates[i] = (i * 37L + 11) % KEYS;
            }
            float[] batchA = new float[candidates.length * E2eData.FEATURES];
            float[] batchL = new float[candidates.length * E2eData.FEATURES];
            int all = candidates.length * E2eData.FEATURES;
            assertEquals(all, fromArray.fetchBatch(candidates, candidates.length, batchA));
            assertEquals(all, fromLarder.fetchBatch(candidates, candidates.length, batchL));
            assertArrayEquals(batchA, batchL);
            for (int i = 0; i < candidates.length; i++) {
                E2eData.entity(candidates[i], expected, 0);
                assertArrayEquals(expected,
                        Arrays.copyOfRange(batchL, i * E2eData.FEATURES, (i + 1) * E2eData.FEATURES),
                        "candidate " + i + " (entity " + candidates[i] + ")");
            }
            float[] scoresA = new float[candidates.length];
            float[] scoresL = new float[candidates.length];
            model.score(batchA, candidates.length, scoresA);
            model.score(batchL, candidates.length, scoresL);
            assertArrayEquals(scoresA, scoresL);
            // The batch scores a row as the single request does, and the model is not a constant.
            float[] one = new float[1];
            E2eData.entity(candidates[3], expected, 0);
            model.score(expected, 1, one);
            assertEquals(one[0], scoresL[3]);
            assertNotEquals(scoresL[0], scoresL[1], "the model gives different entities different scores");
        }
    }

    /** Redis where redis-server is installed (CI installs it); elsewhere the source says why it cannot run. */
    @Test
    void redisFeedsTheModelWhatTheArrayDoes() {
        try (FeatureSource redis = FeatureSources.create(FeatureSources.REDIS, dir);
             FeatureSource array = FeatureSources.create(FeatureSources.ARRAY, dir)) {
            if (RedisServer.findBinary() == null) {
                SystemUnavailableException e = assertThrows(SystemUnavailableException.class, () -> redis.load(KEYS));
                assertTrue(e.getMessage().startsWith("redis-server not found"), e.getMessage());
                return;
            }
            redis.load(KEYS);
            array.load(KEYS);
            float[] a = new float[E2eData.FEATURES];
            float[] r = new float[E2eData.FEATURES];
            for (long key : new long[] {0, 42, KEYS - 1}) {
                assertEquals(E2eData.FEATURES, array.newFetcher().fetch(key, a));
                assertEquals(E2eData.FEATURES, redis.newFetcher().fetch(key, r), "features found for entity " + key);
                assertArrayEquals(a, r, "entity " + key);
            }
            long[] candidates = new long[E2eData.CANDIDATES];
            for (int i = 0; i < candidates.length; i++) {
                candidates[i] = (i * 53L + 7) % KEYS;
            }
            float[] batchA = new float[candidates.length * E2eData.FEATURES];
            float[] batchR = new float[candidates.length * E2eData.FEATURES];
            array.newFetcher().fetchBatch(candidates, candidates.length, batchA);
            assertEquals(batchA.length, redis.newFetcher().fetchBatch(candidates, candidates.length, batchR));
            assertArrayEquals(batchA, batchR);
            assertEquals(0, redis.newFetcher().fetch(KEYS, r), "an entity never loaded");
            assertTrue(Float.isNaN(r[0]) && Float.isNaN(r[E2eData.FEATURES - 1]), Arrays.toString(r));
        }
    }

    @Test
    void aMissingEntityIsMissingNotZero() {
        try (FeatureSource larder = FeatureSources.create(FeatureSources.LARDER, dir);
             FeatureSource array = FeatureSources.create(FeatureSources.ARRAY, dir)) {
            larder.load(10);
            array.load(10);
            float[] l = new float[E2eData.FEATURES];
            float[] a = new float[E2eData.FEATURES];
            assertEquals(0, larder.newFetcher().fetch(10, l));
            assertEquals(0, array.newFetcher().fetch(10, a));
            for (int i = 0; i < E2eData.FEATURES; i++) {
                assertTrue(Float.isNaN(l[i]) && Float.isNaN(a[i]), "feature " + i);
            }
        }
    }
}
