package dev.larder.jmh.systems;

/**
 * One system under test (Larder or a peer) holding the {@link dev.larder.jmh.Dataset}: loaded once, then read by
 * reader threads (one {@link Reader} each) while at most one {@link Updater} rewrites values.
 */
public interface KvSystem extends AutoCloseable {
    String name();

    /** Loads entities {@code 0..keys-1} at version 1. */
    void load(int keys);

    Reader newReader();

    Updater newUpdater();

    /** Version or set-up detail worth printing in a report (e.g. the Redis server version); empty if none. */
    default String detail() {
        return "";
    }

    @Override
    void close();

    /** A single-thread read cursor. */
    interface Reader {
        /** Looks up one entity and returns its feature 0, or NaN when the key is missing. */
        double get(long key);
    }

    /** The single writer: rewrites an entity's features as of {@code version} (strictly increasing). */
    interface Updater {
        void update(long key, long version);

        /** Makes buffered updates visible (Redis pipelines them); no-op elsewhere. */
        default void flush() {
        }
    }
}
