package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.snapshot.DeltaReadException;
import dev.larder.snapshot.DeltaSource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad objects and bad credentials on S3 (S3Proxy) fail with errors naming the table, the object and where the
 * credentials came from. Each test reads its own bucket: Hadoop caches one s3a client, with its credentials, per
 * bucket.
 */
class S3FaultTest {
    /** The only file simple_table's v4 adds. */
    static final String V4_FILE = "part-00000-2befed33-c358-4768-a43c-3eda0d2a499d-c000.snappy.parquet";

    @TempDir
    static Path dir;
    static LocalS3 s3;

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    static void upload(String bucket) {
        s3.createBucket(bucket);
        s3.uploadTable(SharedTables.table("simple_table"), bucket, "t", Set.of());
    }

    @Test
    void aDataFileMissingFromTheBucketIsNamed() {
        upload("missing-object");
        s3.delete("missing-object", "t/" + V4_FILE);
        DeltaSource src = DeltaSource.open("s3a://missing-object/t", CloudSettings.hadoopSettings(s3.hadoopSettings()));
        DeltaReadException e = assertThrows(DeltaReadException.class, () -> src.scan(4, row -> { }));
        assertEquals(DeltaReadException.Reason.MISSING_FILE, e.reason());
        assertEquals("s3a://missing-object/t/" + V4_FILE, e.file());
        assertEquals(4, e.version());
        assertTrue(e.getMessage().contains("file named by the log does not exist")
                && e.getMessage().contains("[table s3a://missing-object/t, version 4, file s3a://missing-object/t/"
                        + V4_FILE + "]"),
                e.getMessage());
        assertEquals(5, src.scan(3, row -> { }), "versions that do not need the object still read");
    }

    @Test
    void aPathWithNoTableIsNamed() {
        upload("no-table");
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://no-table/nothing/here",
                        CloudSettings.hadoopSettings(s3.hadoopSettings())));
        assertEquals(DeltaReadException.Reason.NOT_FOUND, e.reason());
        assertTrue(e.getMessage().contains("s3a://no-table/nothing/here"), e.getMessage());
    }

    @Test
    void wrongCredentialsNameTheTableAndWhereTheCredentialsCameFrom() {
        upload("wrong-key");
        Map<String, String> wrong = new HashMap<>(s3.endpointSettings());
        wrong.put("fs.s3a.access.key", "AKIANOTTHERIGHTKEY42");
        wrong.put("fs.s3a.secret.key", "nope");
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://wrong-key/t", CloudSettings.hadoopSettings(wrong)));
        assertEquals(DeltaReadException.Reason.IO, e.reason());
        assertTrue(e.getMessage().startsWith("IO: access denied by the storage")
                && e.getMessage().contains("credentials from Hadoop setting fs.s3a.access.key (key id AKIA…EY42)")
                && e.getMessage().contains("[table s3a://wrong-key/t]")
                && !e.getMessage().contains("nope"), e.getMessage());
    }

    @Test
    void aWrongSecretIsDeniedToo() {
        upload("wrong-secret");
        Map<String, String> wrong = new HashMap<>(s3.hadoopSettings());
        wrong.put("fs.s3a.secret.key", "not-the-secret");
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://wrong-secret/t", CloudSettings.hadoopSettings(wrong)));
        assertEquals(DeltaReadException.Reason.IO, e.reason());
        assertTrue(e.getMessage().contains("access denied by the storage")
                && e.getMessage().contains("key id AKIA…0001") && !e.getMessage().contains("not-the-secret"),
                e.getMessage());
    }

    @Test
    void anUnreachableEndpointIsNamed() {
        Map<String, String> nowhere = new HashMap<>(s3.hadoopSettings());
        nowhere.put("fs.s3a.endpoint", "http://127.0.0.1:1");
        DeltaReadException e = assertThrows(DeltaReadException.class,
                () -> DeltaSource.open("s3a://unreachable/t", CloudSettings.hadoopSettings(nowhere)));
        assertEquals(DeltaReadException.Reason.IO, e.reason());
        assertTrue(e.getMessage().contains("the storage cannot be reached") && e.getMessage().contains("127.0.0.1:1")
                && e.getMessage().contains("[table s3a://unreachable/t]"), e.getMessage());
    }
}
