package dev.larder;

/**
 * Immutable: what {@link Larder.Builder#load} did.
 *
 * @param table    the table loaded
 * @param source   the Delta table's path or URI (credentials masked; for a Unity Catalog table, the storage location
 *                 the catalog gave)
 * @param version  the Delta version loaded
 * @param rows     rows the table holds (of a sharded table, its shards' rows only)
 * @param lineage  what the table now reflects: its source and watermark (the version loaded)
 * @param reloaded whether an earlier load of the table had not finished (it had no watermark) and was dropped first
 */
public record Loaded(String table, String source, long version, long rows, Lineage lineage, boolean reloaded) {
}
