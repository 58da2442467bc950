package dev.larder.cloud;

/**
 * A table as Unity Catalog describes it ({@code GET /tables/{full_name}}).
 *
 * @param fullName        {@code catalog.schema.table}
 * @param tableId         the catalog's id of the table (a UUID), which credentials and commits are asked for
 * @param storageLocation where the Delta table lives, e.g. {@code s3://bucket/path}
 * @param tableType       {@code MANAGED} or {@code EXTERNAL}
 * @param catalogManaged  whether the catalog owns the table's commits (the {@code catalogManaged} table feature), so
 *                        its latest commits must be asked from the catalog
 */
public record UnityCatalogTable(String fullName, String tableId, String storageLocation, String tableType,
                                boolean catalogManaged) {
}
