package dev.larder.ingest;

import dev.larder.store.FeatureTable;
import dev.larder.store.Lineage;
import java.time.Duration;

/**
 * Thread-safe: a stable name for a table whose current generation can be swapped by a re-bootstrap. Resolving the
 * current generation is one volatile read; readers keep using the generation they hold until they resolve again (the
 * facade's {@code Reader} and a vector's readers resolve {@link #table()} at each lookup), and a retired generation's
 * mappings stay valid for as long as any reader references them.
 */
public final class TableHandle {
    private final String name;
    private final LarderEngine larder;
    private volatile TableSlot slot;

    TableHandle(String name, LarderEngine larder) {
        this.name = name;
        this.larder = larder;
    }

    /** The logical table name (generation directories are named {@code name.g<N>}). */
    public String name() {
        return name;
    }

    /** The current generation. */
    public FeatureTable table() {
        return slot.table;
    }

    /** What the current generation reflects: source, watermark version and its commit timestamp. */
    public Lineage lineage() {
        return slot.table.lineage();
    }

    /** The newest version known to be durable (synced together with its data); -1 if none. */
    public long durableVersion() {
        return slot.durableVersion;
    }

    /**
     * Waits until {@code version} is durable in this table.
     *
     * @return false on timeout
     * @throws FeedException if the writer failed to apply a change of a version up to {@code version}
     */
    public boolean awaitDurable(long version, Duration timeout) throws InterruptedException {
        return larder.pipeline().awaitDurable(this, version, timeout);
    }

    TableSlot slot() {
        return slot;
    }

    void slot(TableSlot s) {
        slot = s;
    }

    @Override
    public String toString() {
        return "TableHandle[" + name + " -> " + slot.name() + "]";
    }
}
