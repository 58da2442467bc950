package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Opening tables with Hadoop settings given as a map, and the error for a storage scheme nothing on the class path
 * serves.
 */
class StorageSettingsTest {
    @Test
    void settingsGivenAsAMapReachTheReader() {
        DeltaSource kernelOnly = DeltaSource.open(SharedTables.table("simple_table").toString(),
                Map.of(FileRowReader.FAST_PATH_KEY, "false"));
        assertEquals(3, kernelOnly.scan(kernelOnly.latestVersion(), row -> { }));
        assertEquals(0, kernelOnly.reader().fastFiles.sum());
        assertTrue(kernelOnly.reader().kernelFiles.sum() > 0);
    }

    @Test
    void cloudUrisWithoutTheCloudModuleNameTheMissingDependency() {
        // abfss has a class named in Hadoop's defaults (ClassNotFoundException), gs none at all.
        for (String uri : new String[] {"s3a://bucket/features/users",
                "abfss://c@acct.dfs.core.windows.net/features/users", "gs://bucket/features/users"}) {
            DeltaReadException e = assertThrows(DeltaReadException.class, () -> DeltaSource.open(uri, Map.of()));
            assertEquals(DeltaReadException.Reason.UNSUPPORTED_FEATURE, e.reason());
            assertTrue(e.getMessage()
                    .contains("no Hadoop filesystem for scheme '" + uri.substring(0, uri.indexOf(':')) + "'")
                    && e.getMessage().contains("dev.larder:larder-cloud") && e.getMessage().contains(uri),
                    e.getMessage());
        }
    }
}
