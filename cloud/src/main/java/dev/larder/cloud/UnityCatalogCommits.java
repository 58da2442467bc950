package dev.larder.cloud;

import dev.larder.snapshot.CatalogCommits;

/** The ratified commits of a catalog-managed Unity Catalog table, asked on every call; thread-safe. */
final class UnityCatalogCommits implements CatalogCommits {
    private final UnityCatalog catalog;
    private final UnityCatalogTable table;

    UnityCatalogCommits(UnityCatalog catalog, UnityCatalogTable table) {
        this.catalog = catalog;
        this.table = table;
    }

    @Override
    public Ratified ratified() {
        return catalog.commits(table, 0);
    }

    @Override
    public String describe() {
        return "Unity Catalog table " + table.fullName() + " at " + catalog.uri();
    }
}
