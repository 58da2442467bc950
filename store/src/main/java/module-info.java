/**
 * Larder's off-heap feature tables: {@code dev.larder.store} is the reading API (stores, tables, readers, schemas,
 * lineage). Writing a table is not API: its single writer is reachable only from the ingest module, the one door
 * through which tables change. The engine beneath, {@code dev.larder.store.engine} (the on-disk layouts, one
 * descriptor per file, and the operations over them), is exported to no module.
 */
module dev.larder.store {
    requires transitive HdrHistogram;

    exports dev.larder.store;
    exports dev.larder.store.internal to dev.larder.ingest;
}
