package dev.larder.ingest;

import dev.larder.store.Key;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableReader;

/**
 * Not thread-safe: one per reader thread. A test kit's {@link TableReader} that moves to the handle's new generation
 * after a swap (as the facade's {@code Reader} does): each lookup costs one extra volatile read and comparison, and
 * allocates only when the generation has changed.
 */
public final class LiveReader {
    private final TableHandle handle;
    private final int sampleEvery;
    private TableReader reader;

    /** A plain reader of {@code handle}'s current generation. */
    public LiveReader(TableHandle handle) {
        this(handle, 0);
    }

    /** @param sampleEvery 0 for a plain reader, else time one lookup in this many into the table's read metrics */
    public LiveReader(TableHandle handle, int sampleEvery) {
        this.handle = handle;
        this.sampleEvery = sampleEvery;
        this.reader = open(handle.table());
    }

    private TableReader open(dev.larder.store.FeatureTable table) {
        return sampleEvery > 0 ? table.newReader(sampleEvery) : table.newReader();
    }

    /** Moves to the current generation if it changed and returns its reader, e.g. for batch lookups. */
    public TableReader refresh() {
        if (reader.table() != handle.table()) {
            reader = open(handle.table());
        }
        return reader;
    }

    /** The reader that did the last lookup; its typed accessors read that lookup's row. */
    public TableReader row() {
        return reader;
    }

    /** Looks up a single integral key in the current generation; read the row through {@link #row()}. */
    public ReadStatus get(long key) {
        return refresh().get(key);
    }

    /** Looks up any key in the current generation; read the row through {@link #row()}. */
    public ReadStatus get(Key key) {
        return refresh().get(key);
    }
}
