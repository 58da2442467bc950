package dev.larder.jmh.e2e;

import dev.larder.jmh.KeySequence;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * A small gradient-boosted classifier trained at set-up with XGBoost4J on {@link E2eData}'s generated features
 * ({@value #TREES} trees of depth {@value #DEPTH}), scoring like a model server: one single-threaded
 * {@code inplace_predict} per request over a dense row-major float matrix, so that every feature source hands the
 * model the same kind of input and pays the same call. For ONE thread at a time.
 *
 * <p>The training is deterministic (one thread, fixed seed, fixed data), so every JVM of the harness scores with the
 * same model.
 */
public final class ScoringModel implements AutoCloseable {
    static final int TREES = 40;
    static final int DEPTH = 6;
    private static final int TRAINING_ROWS = 20_000;

    private final Booster booster;

    private ScoringModel(Booster booster) {
        this.booster = booster;
    }

    /** Trains the model on {@value #TRAINING_ROWS} generated entities (ids drawn from a space wider than any load). */
    public static ScoringModel train() {
        float[] data = new float[TRAINING_ROWS * E2eData.FEATURES];
        float[] labels = new float[TRAINING_ROWS];
        KeySequence ids = new KeySequence(1L << 40, 42);
        SplittableRandom noise = new SplittableRandom(43);
        for (int r = 0; r < TRAINING_ROWS; r++) {
            E2eData.entity(ids.next(), data, r * E2eData.FEATURES);
            labels[r] = label(data, r * E2eData.FEATURES, (noise.nextDouble() - 0.5) * 0.4);
        }
        Map<String, Object> params = new HashMap<>();
        params.put("objective", "binary:logistic");
        params.put("max_depth", DEPTH);
        params.put("eta", 0.3);
        params.put("tree_method", "hist");
        params.put("nthread", 1);
        params.put("seed", 7);
        params.put("verbosity", 0);
        DMatrix train = null;
        try {
            train = new DMatrix(data, TRAINING_ROWS, E2eData.FEATURES, Float.NaN);
            train.setLabel(labels);
            return new ScoringModel(XGBoost.train(train, params, TREES, Map.of(), null, null));
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed to train the scoring model: " + e.getMessage(), e);
        } finally {
            if (train != null) {
                train.dispose();
            }
        }
    }

    /** The model's shape, for reports. */
    public static String describe() {
        return TREES + " trees of depth " + DEPTH + " (binary:logistic), trained at set-up on " + TRAINING_ROWS
                + " generated entities";
    }

    /**
     * A click-like label that needs features of all three tables and their interactions, so the trees split on many
     * of them (a model reading only a few columns would flatter a source that fetched the rest wrongly).
     */
    private static float label(float[] row, int off, double noise) {
        double s = row[off] * row[off + 14] + (row[off + 27] > 0.5f ? 0.6 : -0.2) + row[off + 5] - row[off + 20]
                + 0.5 * Math.sin(6 * row[off + 33]) + (row[off + 39] - 0.5) * row[off + 12];
        return s + noise > 0.6 ? 1f : 0f;
    }

    /**
     * Scores {@code rows} entities whose features are {@code features[0 .. rows * FEATURES)} (row-major) into
     * {@code out[0..rows)}. XGBoost4J returns a new {@code float[rows][1]} per call (its JNI allocates): the same cost
     * for every source.
     */
    public void score(float[] features, int rows, float[] out) {
        float[][] p;
        try {
            p = booster.inplace_predict(features, rows, E2eData.FEATURES, Float.NaN);
        } catch (XGBoostError e) {
            throw new IllegalStateException("XGBoost failed to score " + rows + " row(s): " + e.getMessage(), e);
        }
        for (int r = 0; r < rows; r++) {
            out[r] = p[r][0];
        }
    }

    @Override
    public void close() {
        booster.dispose();
    }
}
