package dev.larder.store;

/**
 * What a table reflects: its source (e.g. the Delta table id and path, and the catalog name it was opened by), the
 * watermark version (every change with version at most this one is applied, none above) and that version's commit
 * timestamp. Immutable; tables swap whole instances, so a reader sees a consistent lineage without locking.
 *
 * @param sourceId               identity of the source, e.g. the Delta table id; empty when fed by the application
 * @param sourcePath             where the source lives (path or URI); empty when fed by the application
 * @param version                watermark version, -1 before the first version is complete
 * @param commitTimestampMillis  commit timestamp of {@code version}, epoch millis; 0 when unknown
 * @param catalogTable           the catalog name the source was opened by (e.g. Unity Catalog's
 *                               {@code main.features.users}); empty when opened by path
 * @param catalogTableId         the catalog's id of that table (Unity Catalog's {@code table_id}); empty when opened by path
 */
public record Lineage(String sourceId, String sourcePath, long version, long commitTimestampMillis, String catalogTable,
                      String catalogTableId) {
    public static final Lineage EMPTY = new Lineage("", "", -1, 0);

    public Lineage {
        sourceId = sourceId == null ? "" : sourceId;
        sourcePath = sourcePath == null ? "" : sourcePath;
        catalogTable = catalogTable == null ? "" : catalogTable;
        catalogTableId = catalogTableId == null ? "" : catalogTableId;
    }

    /** A lineage of a source opened by path, with no catalog name. */
    public Lineage(String sourceId, String sourcePath, long version, long commitTimestampMillis) {
        this(sourceId, sourcePath, version, commitTimestampMillis, "", "");
    }

    public Lineage withVersion(long newVersion, long newCommitTimestampMillis) {
        return new Lineage(sourceId, sourcePath, newVersion, newCommitTimestampMillis, catalogTable, catalogTableId);
    }

    /** This lineage with the catalog name and id the source was opened by. */
    public Lineage withCatalog(String table, String tableId) {
        return new Lineage(sourceId, sourcePath, version, commitTimestampMillis, table, tableId);
    }

    /** Whether the source was opened by a catalog name. */
    public boolean fromCatalog() {
        return !catalogTable.isEmpty();
    }
}
