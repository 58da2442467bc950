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

    Vector(String name, FeatureVector vector) {
        this.name = name;
        this.vector = vector;
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

    /** A filler for the calling thread. */
    public Filler newFiller() {
        return new Filler(vector.newReader(), vector.size());
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

        Filler(FeatureVectorReader reader, int size) {
            this.reader = reader;
            this.key = new Key(reader.key());
            this.storeStatuses = new dev.larder.store.ReadStatus[size];
        }

        private dev.larder.store.ReadStatus[] storeStatuses(ReadStatus[] statuses) {
            return statuses == null ? null : storeStatuses;
        }

        private int mapped(int fromData, ReadStatus[] statuses) {
            ReadStatus.copy(storeStatuses, statuses, storeStatuses.length);
            return fromData;
        }

        /**
         * Fills {@code out[0..size)} for an entity with a single integral key; {@code statuses} (may be null) receives each
         * feature's status. Expired rows give defaults.
         *
         * @return how many features came from data rather than defaults
         */
        public int fill(long entityKey, float[] out, ReadStatus[] statuses) {
            return mapped(reader.fill(entityKey, out, storeStatuses(statuses)), statuses);
        }

        public int fill(long entityKey, double[] out, ReadStatus[] statuses) {
            return mapped(reader.fill(entityKey, out, storeStatuses(statuses)), statuses);
        }

        /** A reusable key for composite entity keys, for {@link #fill(Key, float[], ReadStatus[])}. */
        public Key key() {
            return key;
        }

        public int fill(Key entityKey, float[] out, ReadStatus[] statuses) {
            return mapped(reader.fill(entityKey.key, out, storeStatuses(statuses)), statuses);
        }

        /** As {@link #fill(Key, float[], ReadStatus[])} into a double[]. */
        public int fill(Key entityKey, double[] out, ReadStatus[] statuses) {
            return mapped(reader.fill(entityKey.key, out, storeStatuses(statuses)), statuses);
        }
    }
}
