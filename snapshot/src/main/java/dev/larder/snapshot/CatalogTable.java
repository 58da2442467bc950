package dev.larder.snapshot;

/**
 * How a Delta table was found through a catalog: its name there, the catalog's id for it, and, for a catalog-managed
 * table, the catalog's {@link CatalogCommits}. Recorded in the lineage of the tables it feeds.
 *
 * @param name    the catalog name, e.g. Unity Catalog's {@code main.features.users}
 * @param tableId the catalog's id of the table (Unity Catalog's {@code table_id})
 * @param commits the ratified commits of a catalog-managed table; null when the table's log is complete by path
 */
public record CatalogTable(String name, String tableId, CatalogCommits commits) {
}
