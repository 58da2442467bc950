package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Opening tables with Hadoop settings given as a map, and the error for a storage scheme nothing on the class path serves. */
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
    void s3aWithoutTheCloudModuleNamesTheMissingDependency() {
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://bucket/features/users", Map.of()));
        assertEquals(DeltaReadException.Reason.UNSUPPORTED_FEATURE, e.reason());
        assertTrue(e.getMessage().contains("no Hadoop filesystem for scheme 's3a'")
                && e.getMessage().contains("dev.larder:larder-cloud")
                && e.getMessage().contains("s3a://bucket/features/users"), e.getMessage());
    }
}
