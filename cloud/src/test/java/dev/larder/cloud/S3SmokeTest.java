package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.snapshot.DeltaSource;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class S3SmokeTest {
    @TempDir
    Path dir;

    @Test
    void smoke() throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("smoke");
            s3.uploadTable(SharedTables.table("simple_table"), "smoke", "simple_table", Set.of());
            DeltaSource src = DeltaSource.open("s3a://smoke/simple_table", CloudSettings.hadoopSettings(s3.hadoopSettings()));
            assertEquals(4, src.latestVersion());
            assertEquals(3, src.scan(4, r -> { }));
        }
    }
}
