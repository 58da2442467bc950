package dev.larder;

/**
 * Immutable: what {@link Larder.Builder#applyChanges} did.
 *
 * @param table        the table brought forward
 * @param source       the Delta table read (credentials masked; for a Unity Catalog table, the storage location the
 *                     catalog gave)
 * @param firstVersion the first version asked for: the table's watermark before, plus one
 * @param lastVersion  the last version applied, now the watermark; {@code firstVersion - 1} when none was
 * @param rows         rows the table holds now (of a sharded table, its shards' rows only)
 * @param lineage      what the table now reflects: its source and watermark
 */
public record Applied(String table, String source, long firstVersion, long lastVersion, long rows, Lineage lineage) {
    /** Whether any version was applied (the table was behind the version asked for). */
    public boolean applied() {
        return lastVersion >= firstVersion;
    }
}
