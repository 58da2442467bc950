package dev.larder;

import dev.larder.ingest.Follower;
import dev.larder.ingest.TableHandle;
import dev.larder.ingest.TableStatus;
import dev.larder.store.Lineage;
import java.util.List;

/**
 * Thread-safe: a served feature table under a stable name; its generation may be swapped by a re-bootstrap, which its
 * readers follow. Obtain it from {@link Larder#table(String)}.
 */
public final class Table {
    private final TableHandle handle;
    private final Follower follower;

    Table(TableHandle handle, Follower follower) {
        this.handle = handle;
        this.follower = follower;
    }

    public String name() {
        return handle.name();
    }

    /** A reader for the calling thread. */
    public Reader newReader() {
        return new Reader(handle);
    }

    /** Column names of the current generation, in schema order. */
    public List<String> columns() {
        return handle.table().schema().names();
    }

    /** Live rows in the current generation. */
    public long size() {
        return handle.table().size();
    }

    /** What the table reflects: source (path, Delta table id, catalog name), watermark version and its commit time. */
    public Lineage lineage() {
        return handle.lineage();
    }

    /** Feed state, freshness and errors of a followed table; null for a table that is served but not followed. */
    public TableStatus status() {
        return follower == null ? null : follower.status();
    }

    TableHandle handle() {
        return handle;
    }

    @Override
    public String toString() {
        return "Table[" + name() + "]";
    }
}
