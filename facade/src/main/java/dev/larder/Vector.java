package dev.larder;

import dev.larder.store.FeatureVector;
import dev.larder.store.FeatureVectorReader;
import java.util.List;

/**
 * Thread-safe: a named model input vector, an ordered list of {@link Feature}s across tables sharing the entity key.
 * Each thread fills vectors with its own {@link Filler}.
 */
public final class Vector {
    private final String name;
    private final FeatureVector vector;
    /** The served-feature log; null when the vector is not logged (then a fill pays one field check for it). */
    private final ServeLogger log;
    private final int tables;

    Vector(String name, FeatureVector vector, ServeLogger log, int tables) {
        this.name = name;
        this.vector = vector;
        this.log = log;
        this.tables = tables;
    }

    public String name() {
        return name;
    }

    public int size() {
        return vector.size();
    }

    /** Feature names as {@code table.column}, in vector order. */
    public List<String> features() {
        return vector.names();
    }

    /**
     * A filler for the calling thread. For a logged vector it takes a buffer of {@link ServeLog#bufferRecords()}
     * vectors, kept until the filler is unreachable: make one per thread, not one per request.
     */
    public Filler newFiller() {
        return new Filler(vector.newReader(), vector.size(), log, tables);
    }

    /** Whether served vectors are logged ({@link Larder.Builder#log}). */
    public boolean logged() {
        return log != null;
    }

    /**
     * The served-feature log's counters: vectors logged, dropped on full buffers, committed.
     *
     * @throws IllegalStateException if the vector is not logged
     */
    public ServeLogStats logStats() {
        return logger().stats();
    }

    /**
     * Commits every vector the fillers have logged so far to the served-feature log, and returns once it is committed.
     *
     * @throws IllegalStateException if the vector is not logged, or the commit failed (the vectors are kept and
     *                               retried)
     */
    public void flushLog() {
        logger().flush();
    }

    /**
     * Commits what the fillers have logged, then runs the skew check over the whole log, as
     * {@code larder skew-check --log} does: every logged value is recomputed from the Delta table it was read from at
     * the version logged with it (time travel, each version read once), and must equal the value served. It reads
     * every logged vector and each version's snapshot: for a demo, a test or a canary, on the caller's thread; a log
     * of a serving fleet is checked offline with {@code larder skew-check}.
     *
     * @param maxDifferences differences to describe in the report
     * @throws IllegalStateException if the vector is not logged, the log's last vectors could not be committed, or
     *                               the log cannot be read back (its message names the log)
     */
    public SkewReport checkLog(int maxDifferences) {
        if (maxDifferences < 0) {
            throw new IllegalArgumentException("maxDifferences must be at least 0, got " + maxDifferences);
        }
        return logger().check(maxDifferences);
    }

    /** The served-feature log, null when not logged; for tests that hold its drain. */
    ServeLogger log() {
        return log;
    }

    private ServeLogger logger() {
        if (log == null) {
            throw new IllegalStateException("vector " + name + " is not logged: declare it with Larder.Builder.log");
        }
        return log;
    }

    /**
     * Not thread-safe: one per thread. Fills a vector with one lookup per table, allocation-free; follows tables'
     * generation swaps.
     */
    public static final class Filler {
        private final FeatureVectorReader reader;
        /** Where the store writes each feature's status, mapped into the caller's {@link ReadStatus}[] after it. */
        private final dev.larder.store.ReadStatus[] storeStatuses;
        private final Key key;
        /** This thread's buffer of the served-feature log; null when the vector is not logged. */
        private final LogBuffer log;

        Filler(FeatureVectorReader reader, int size, ServeLogger logger, int tables) {
            this.reader = reader;
            this.storeStatuses = new dev.larder.store.ReadStatus[size];
            this.log = logger == null ? null : logger.newBuffer(this, size, tables);
            this.key = new Key(reader.key());
        }

        /**
         * The request id the next vector filled is logged with (a model server's own id, to join the log with its
         * labels); without one, a random id is generated. Nothing when the vector is not logged.
         */
        public Filler requestId(long id) {
            if (log != null) {
                log.requestId(id);
            }
            return this;
        }

        private dev.larder.store.ReadStatus[] storeStatuses(ReadStatus[] statuses) {
            return statuses == null ? null : storeStatuses;
        }

        private int mapped(int fromData, ReadStatus[] statuses) {
            ReadStatus.copy(storeStatuses, statuses, storeStatuses.length);
            return fromData;
        }

        /**
         * Fills {@code out[0..size)} for an entity with a single integral key; {@code statuses} (may be null) receives
         * each feature's status. Expired rows give defaults.
         *
         * @return how many features came from data rather than defaults
         */
        public int fill(long entityKey, float[] out, ReadStatus[] statuses) {
            LogBuffer l = log;
            if (l == null) {
                return mapped(reader.fill(entityKey, out, storeStatuses(statuses)), statuses);
            }
            int fromData = reader.fill(entityKey, out, storeStatuses);
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey);
                l.publish(at, storeStatuses, reader);
            }
            return mapped(fromData, statuses);
        }

        public int fill(long entityKey, double[] out, ReadStatus[] statuses) {
            LogBuffer l = log;
            if (l == null) {
                return mapped(reader.fill(entityKey, out, storeStatuses(statuses)), statuses);
            }
            int fromData = reader.fill(entityKey, out, storeStatuses);
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey);
                l.publish(at, storeStatuses, reader);
            }
            return mapped(fromData, statuses);
        }

        /** This filler's ring of the served-feature log, null when not logged; for benchmarks that drain it. */
        LogBuffer logBuffer() {
            return log;
        }

        /**
         * Logs the last vector filled into {@code out} again, as its fill did; for benchmarks timing the copy alone.
         */
        void relog(long entityKey, double[] out) {
            int at = log.claim();
            if (at >= 0) {
                log.values(at, out);
                log.key(at, entityKey);
                log.publish(at, storeStatuses, reader);
            }
        }

        /** A reusable key for composite (or string) entity keys, for {@link #fill(Key, float[], ReadStatus[])}. */
        public Key key() {
            return key;
        }

        /** As {@link #fill(long, float[], ReadStatus[])} for a key set through {@link #key()}. */
        public int fill(Key entityKey, float[] out, ReadStatus[] statuses) {
            LogBuffer l = log;
            if (l == null) {
                return mapped(reader.fill(entityKey.key, out, storeStatuses(statuses)), statuses);
            }
            int fromData = reader.fill(entityKey.key, out, storeStatuses);
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey.key);
                l.publish(at, storeStatuses, reader);
            }
            return mapped(fromData, statuses);
        }

        /** As {@link #fill(Key, float[], ReadStatus[])} into a double[]. */
        public int fill(Key entityKey, double[] out, ReadStatus[] statuses) {
            LogBuffer l = log;
            if (l == null) {
                return mapped(reader.fill(entityKey.key, out, storeStatuses(statuses)), statuses);
            }
            int fromData = reader.fill(entityKey.key, out, storeStatuses);
            int at = l.claim();
            if (at >= 0) {
                l.values(at, out);
                l.key(at, entityKey.key);
                l.publish(at, storeStatuses, reader);
            }
            return mapped(fromData, statuses);
        }
    }
}
