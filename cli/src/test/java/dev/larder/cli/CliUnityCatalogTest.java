package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cloud.LocalS3;
import dev.larder.cloud.SessionTokenGate;
import dev.larder.cloud.SharedTables;
import dev.larder.cloud.TestUnityCatalog;
import dev.larder.store.FeatureStore;
import dev.larder.store.Lineage;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --uc-table} against a Unity Catalog on loopback that vends session credentials for an S3 endpoint checking
 * them: the commands run as child processes with the token (and, for the commands after load, the catalog URI) in
 * the environment, as a user runs them.
 */
class CliUnityCatalogTest {
    @TempDir
    static Path dir;
    static LocalS3 s3;
    static SessionTokenGate gate;
    static TestUnityCatalog catalog;
    static TestUnityCatalog.Table external;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.startWithoutAuthorization(dir.resolve("s3"));
        gate = new SessionTokenGate(s3.endpoint());
        catalog = new TestUnityCatalog(gate);
        Path generated = dir.resolve("generated");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(2000).numericFeatures(2).float32Features(1)
                .stringFeatures(1).commits(2).rowsPerFile(500).build(), generated);
        s3.createBucket("cli-uc");
        s3.uploadTable(generated, "cli-uc", "features/users", Set.of());
        external = catalog.add("main.features.users", "s3://cli-uc/features/users", false);
        Path managed = SharedTables.catalogManaged("catalog-owned-preview");
        s3.uploadTable(managed, "cli-uc", "managed/cop", Set.of());
        catalog.addCatalogManaged("main.features.cop", "s3://cli-uc/managed/cop", managed, 2);
    }

    @AfterAll
    static void stop() {
        catalog.close();
        gate.close();
        s3.close();
    }

    static final Map<String, String> TOKEN_ENV = Map.of("DATABRICKS_TOKEN", TestUnityCatalog.TOKEN);

    static String[] args(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--conf", "fs.s3a.endpoint=" + gate.endpoint(), "--conf", "fs.s3a.path.style.access=true",
                "--conf", "fs.s3a.endpoint.region=us-east-1", "--conf", "fs.s3a.retry.limit=1", "--conf",
                "fs.s3a.attempts.maximum=1"));
        return all.toArray(String[]::new);
    }

    @Test
    void loadVerifyAndFollowAnExternalTableByItsCatalogName() throws Exception {
        String store = dir.resolve("store-external").toString();
        CliS3Test.Child load = CliS3Test.child(dir, TOKEN_ENV, args("load", "--uc-table", "main.features.users",
                "--uc-uri", catalog.uri(), "--key", GeneratorSpec.KEY_COLUMN, "--store", store, "--table", "users"));
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded 2,800 rows of s3://cli-uc/features/users version 2"), load.out());

        CliTest.Run stats = larder("stats", "--store", store);
        assertTrue(stats.out().contains("source Unity Catalog table main.features.users (table_id " + external.tableId
                + ") at s3://cli-uc/features/users"), stats.out());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            Lineage l = s.table("users").lineage();
            assertEquals("main.features.users", l.catalogTable());
            assertEquals(external.tableId, l.catalogTableId());
        }
        CliTest.Run get = larder("get", "--store", store, "--table", "users", "0");
        assertTrue(get.out().contains("catalogTable=main.features.users catalogTableId=" + external.tableId),
                get.out());

        // The recorded catalog name is opened again through the catalog at $DATABRICKS_HOST.
        Map<String, String> env = Map.of("DATABRICKS_TOKEN", TestUnityCatalog.TOKEN, "DATABRICKS_HOST", catalog.uri());
        CliS3Test.Child verify = CliS3Test.child(dir, env, args("verify", "--store", store, "--table", "users"));
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("OK: users equals s3://cli-uc/features/users at version 2"), verify.out());

        CliS3Test.Child follow = CliS3Test.child(dir, env, args("follow", "--store", store, "--uc-table",
                "main.features.users", "--key", GeneratorSpec.KEY_COLUMN, "--table", "users", "--duration", "3s",
                "--status-every", "1s"));
        assertEquals(0, follow.exit(), follow.err());
        assertTrue(follow.out().contains("following s3://cli-uc/features/users as users"), follow.out());
    }

    @Test
    void loadTheCatalogManagedSharedTableByItsCatalogName() throws Exception {
        String store = dir.resolve("store-managed").toString();
        CliS3Test.Child load = CliS3Test.child(dir, TOKEN_ENV, args("load", "--uc-table", "main.features.cop",
                "--uc-uri", catalog.uri(), "--key", "col1", "--store", store, "--table", "cop"));
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded 200 rows of s3://cli-uc/managed/cop version 2"), load.out());
        CliS3Test.Child verify = CliS3Test.child(dir, Map.of("DATABRICKS_TOKEN", TestUnityCatalog.TOKEN,
                "DATABRICKS_HOST", catalog.uri()), args("verify", "--store", store, "--table", "cop"));
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("OK: cop equals s3://cli-uc/managed/cop at version 2 (200 rows)"),
                verify.out());
    }

    @Test
    void catalogErrorsNameTheTableAndTheEndpoint() throws Exception {
        CliS3Test.Child unauthorized = CliS3Test.child(dir, Map.of("MY_UC_TOKEN", "wrong"), args("load", "--uc-table",
                "main.features.users", "--uc-uri", catalog.uri(), "--uc-token-env", "MY_UC_TOKEN", "--key", "id",
                "--store", dir.resolve("s401").toString(), "--table", "t"));
        assertEquals(1, unauthorized.exit(), unauthorized.out());
        assertTrue(unauthorized.err().contains("did not accept the token from $MY_UC_TOKEN")
                && unauthorized.err().contains(catalog.uri() + "/api/2.1/unity-catalog/tables/main.features.users"),
                unauthorized.err());

        CliS3Test.Child missing = CliS3Test.child(dir, TOKEN_ENV, args("load", "--uc-table", "main.features.nope",
                "--uc-uri", catalog.uri(), "--key", "id", "--store", dir.resolve("s404").toString(), "--table", "t"));
        assertEquals(1, missing.exit(), missing.out());
        assertTrue(missing.err().contains("has no table main.features.nope"), missing.err());

        CliTest.Run both = larder("load", "--uc-table", "main.features.users", "--delta", "/tmp/x", "--key", "id",
                "--store", dir.resolve("sboth").toString(), "--table", "t");
        assertEquals(1, both.exit(), both.err());
        assertTrue(both.err().contains("--delta") && both.err().contains("--uc-table"), both.err());

        CliS3Test.Child noHost = CliS3Test.child(dir, TOKEN_ENV, args("load", "--uc-table", "main.features.users",
                "--key", "id", "--store", dir.resolve("snohost").toString(), "--table", "t"));
        assertEquals(1, noHost.exit(), noHost.out());
        assertTrue(noHost.err().contains("pass --uc-uri or set DATABRICKS_HOST"), noHost.err());
    }
}
