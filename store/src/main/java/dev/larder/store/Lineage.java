package dev.larder.store;

/**
 * What a table reflects: its source (e.g. the Delta table id and path, and the catalog name it was opened by), the
 * watermark version (every change with version at most this one is applied, none above) and that version's commit
 * timestamp. Immutable; tables swap whole instances, so a reader sees a consistent lineage without locking.
 *
 * <p>A table has one feeder: a change source (a Delta table) or the application, which pushes rows; a table created
 * for the application records {@link #APPLICATION} from its creation on, so it is known as such before its first
 * version.
 *
 * @param sourceId               identity of the source, e.g. the Delta table id; {@value #APPLICATION_ID} when fed by
 *                               the application (empty in application-fed tables created before it was recorded)
 * @param sourcePath             where the source lives (path or URI); empty when fed by the application
 * @param version                watermark version, -1 before the first version is complete
 * @param commitTimestampMillis  commit timestamp of {@code version}, epoch millis; 0 when unknown
 * @param catalogTable           the catalog name the source was opened by (e.g. Unity Catalog's
 *                               {@code main.features.users}); empty when opened by path
 * @param catalogTableId         the catalog's id of that table (Unity Catalog's {@code table_id}); empty when opened by
 *                               path
 */
public record Lineage(String sourceId, String sourcePath, long version, long commitTimestampMillis, String catalogTable,
                      String catalogTableId) {
    /** A table with no recorded source and no version: new, or a bootstrap that has not finished. */
    public static final Lineage EMPTY = new Lineage("", "", -1, 0);
    /** The {@link #sourceId()} of a table fed by the application. */
    public static final String APPLICATION_ID = "application";
    /** The origin of a table fed by the application (rows pushed through the ingest API), before its first version. */
    public static final Lineage APPLICATION = new Lineage(APPLICATION_ID, "", -1, 0);
    /** The scheme of a Kafka source's path, {@code kafka://BOOTSTRAP/TOPIC} (larder-kafka's sources). */
    private static final String KAFKA_SCHEME = "kafka://";

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

    /**
     * Whether the application feeds the table: it records {@link #APPLICATION}, or (tables from before that was
     * recorded) no source at all but a version, which no change source publishes.
     */
    public boolean applicationFed() {
        return sourcePath.isEmpty() && (sourceId.equals(APPLICATION_ID) || sourceId.isEmpty() && version >= 0);
    }

    /** Whether a change source (a Delta table) feeds the table: it records where that source lives. */
    public boolean sourceFed() {
        return !sourcePath.isEmpty();
    }

    /** Who feeds the table, for messages: the application, a Kafka topic, or the source's catalog name and path. */
    public String feeder() {
        if (sourceFed()) {
            if (sourcePath.startsWith(KAFKA_SCHEME)) {
                return "Kafka topic " + sourcePath.substring(KAFKA_SCHEME.length());
            }
            return (fromCatalog() ? "catalog table " + catalogTable + " at " : "Delta table ") + sourcePath;
        }
        return applicationFed() ? "the application (pushed rows)" : "no recorded source";
    }

    /** Whether the source was opened by a catalog name. */
    public boolean fromCatalog() {
        return !catalogTable.isEmpty();
    }
}
