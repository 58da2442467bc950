package dev.larder;

/**
 * Immutable: what a table reflects, its source, the watermark version (every change with version at most this one is
 * applied, none above) and that version's commit timestamp. A table has one feeder: a Delta table, or the application
 * (rows pushed through a {@link Pusher}).
 *
 * @param sourceId              identity of the source, e.g. the Delta table id; {@code application} when fed by the
 *                              application
 * @param sourcePath            where the source lives (path or URI); empty when fed by the application
 * @param version               watermark version, -1 before the first version is complete
 * @param commitTimestampMillis commit timestamp of {@code version}, epoch millis; 0 when unknown
 * @param catalogTable          the catalog name the source was opened by (e.g. Unity Catalog's
 *                              {@code main.features.users}); empty when opened by path
 * @param catalogTableId        the catalog's id of that table (Unity Catalog's {@code table_id}); empty when opened by
 *                              path
 */
public record Lineage(String sourceId, String sourcePath, long version, long commitTimestampMillis,
                      String catalogTable, String catalogTableId) {

    static Lineage of(dev.larder.store.Lineage l) {
        return new Lineage(l.sourceId(), l.sourcePath(), l.version(), l.commitTimestampMillis(), l.catalogTable(),
                l.catalogTableId());
    }

    /** Whether the source was opened by a catalog name. */
    public boolean fromCatalog() {
        return !catalogTable.isEmpty();
    }
}
