package dev.larder.cli;

import dev.larder.Source;
import dev.larder.cloud.CloudSettings;
import dev.larder.cloud.UnityCatalog;
import dev.larder.snapshot.DeltaSource;
import dev.larder.store.Lineage;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How the commands that read Delta reach a table (a picocli mixin): {@code --conf KEY=VALUE} Hadoop settings with the
 * AWS environment, and the Unity Catalog endpoint and token for tables named {@code --uc-table catalog.schema.table}.
 */
final class HadoopOptions {
    @Option(names = "--conf", paramLabel = "KEY=VALUE",
            description = "Hadoop setting for reading the Delta table, repeatable "
            + "(e.g. fs.s3a.endpoint=http://host:9000). AWS credentials, region and profile also come from the "
            + "standard AWS environment variables and ~/.aws files; prefer them to putting secrets on the "
            + "command line.")
    Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--uc-uri", paramLabel = "URI",
            description = "Unity Catalog (Databricks workspace) URI for --uc-table "
            + "(default: $DATABRICKS_HOST); the REST API is under <URI>/api/2.1/unity-catalog.")
    String ucUri;

    @Option(names = "--uc-token-env", paramLabel = "NAME", defaultValue = "DATABRICKS_TOKEN",
            description = "Environment variable holding the Unity Catalog bearer token (default ${DEFAULT-VALUE}).")
    String ucTokenEnv;

    /** The settings every Delta read of this command uses: {@code --conf} over what the environment contributes. */
    Map<String, String> settings() {
        return CloudSettings.hadoopSettings(conf);
    }

    DeltaSource open(String pathOrUri) {
        return DeltaSource.open(pathOrUri, settings());
    }

    /** The table {@code ucTable} names in Unity Catalog, read with the credentials the catalog vends. */
    DeltaSource openCatalogTable(String ucTable) {
        return UnityCatalog.fromEnvironment(ucUri, ucTokenEnv).open(ucTable, conf);
    }

    /** Exactly one of a path ({@code --delta}) and a Unity Catalog name ({@code --uc-table}). */
    DeltaSource open(String delta, String ucTable) {
        checkOneOf(delta, ucTable);
        return delta != null ? open(delta) : openCatalogTable(ucTable);
    }

    /**
     * The facade's source for exactly one of a path and a Unity Catalog name, with the {@code --conf} settings (the
     * facade adds the environment's as {@link #settings()} does); the catalog is {@link #catalogUri()}.
     */
    Source source(String delta, String ucTable) {
        checkOneOf(delta, ucTable);
        return withSettings(delta != null ? Source.delta(delta) : Source.unityCatalog(ucTable));
    }

    /** {@code s} with the {@code --conf} settings. */
    Source withSettings(Source s) {
        Source out = s;
        for (Map.Entry<String, String> e : conf.entrySet()) {
            out = out.setting(e.getKey(), e.getValue());
        }
        return out;
    }

    /** The Unity Catalog URI given ({@code --uc-uri}); null for {@code $DATABRICKS_HOST}. */
    String catalogUri() {
        return ucUri;
    }

    /** The environment variable holding the Unity Catalog token ({@code --uc-token-env}). */
    String catalogTokenEnv() {
        return ucTokenEnv;
    }

    private static void checkOneOf(String delta, String ucTable) {
        if ((delta == null) == (ucTable == null)) {
            throw new IllegalArgumentException("give the Delta table by path (--delta) or by Unity Catalog name "
                    + "(--uc-table), not " + (delta == null ? "neither" : "both"));
        }
    }

    /** The source a table recorded: by its catalog name when it was loaded through Unity Catalog, else by path. */
    DeltaSource openRecorded(Lineage l) {
        return l.fromCatalog() ? openCatalogTable(l.catalogTable()) : open(l.sourcePath());
    }
}
