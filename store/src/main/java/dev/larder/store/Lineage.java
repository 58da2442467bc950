package dev.larder.store;

/**
 * What a table reflects: its source (e.g. the Delta table id and path), the watermark version (every change with version
 * at most this one is applied, none above) and that version's commit timestamp. Immutable; tables swap whole instances,
 * so a reader sees a consistent triple without locking.
 *
 * @param sourceId               identity of the source, e.g. the Delta table id; empty when fed by the application
 * @param sourcePath             where the source lives (path or URI); empty when fed by the application
 * @param version                watermark version, -1 before the first version is complete
 * @param commitTimestampMillis  commit timestamp of {@code version}, epoch millis; 0 when unknown
 */
public record Lineage(String sourceId, String sourcePath, long version, long commitTimestampMillis) {
    public static final Lineage EMPTY = new Lineage("", "", -1, 0);

    public Lineage {
        sourceId = sourceId == null ? "" : sourceId;
        sourcePath = sourcePath == null ? "" : sourcePath;
    }

    public Lineage withVersion(long newVersion, long newCommitTimestampMillis) {
        return new Lineage(sourceId, sourcePath, newVersion, newCommitTimestampMillis);
    }
}
