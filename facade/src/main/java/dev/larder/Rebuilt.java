package dev.larder;

/**
 * Immutable: what {@link Larder.Builder#rebuild} did.
 *
 * @param table      the table rebuilt
 * @param generation the directory of its new generation in the store (its damaged generations are gone)
 * @param source     the Delta table read (credentials masked; for a Unity Catalog table, the storage location the
 *                   catalog gave)
 * @param version    the Delta version the table now reflects: the source's latest when the rebuild began
 * @param rows       rows the table holds (of a sharded table, its shards' rows only)
 */
public record Rebuilt(String table, String generation, String source, long version, long rows) {
}
