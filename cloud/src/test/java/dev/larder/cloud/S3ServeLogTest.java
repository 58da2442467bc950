package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.larder.snapshot.DeltaSchema;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.servelog.ServeLogLayout;
import dev.larder.snapshot.servelog.ServeLogRows;
import dev.larder.snapshot.servelog.ServeLogTable;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The served-feature log written to S3 (S3Proxy) through s3a, as a model server logs to its lakehouse: two writers
 * appending to one log commit both, and a reader of the Delta table finds every record once.
 */
class S3ServeLogTest {
    private static final ServeLogLayout LAYOUT =
            new ServeLogLayout("ranker", "user_id", List.of("users.ctr"), List.of("users"));

    @TempDir
    Path dir;

    private static ServeLogRows rows(long first, int n) {
        ServeLogRows rows = new ServeLogRows(LAYOUT, n);
        for (long id = first; id < first + n; id++) {
            int r = rows.add();
            rows.requestId[r] = id;
            rows.servedAtMillis[r] = 1_765_000_000_000L + id;
            rows.key[r] = id * 10;
            rows.values[0][r] = id + 0.5;
            rows.reasons[0][r] = ServeLogRows.FROM_DATA;
            rows.versions[0][r] = 7;
            rows.commitTs[0][r] = 1_000;
        }
        return rows;
    }

    @Test
    void aLogOnS3TakesAppendsFromTwoWritersAndReadsBackWhole() throws Exception {
        try (LocalS3 s3 = LocalS3.start(dir.resolve("s3"))) {
            s3.createBucket("logs");
            Configuration conf = DeltaSource.localConfiguration();
            CloudSettings.hadoopSettings(s3.hadoopSettings()).forEach(conf::set);
            String uri = "s3a://logs/ranker";
            try (ServeLogTable first = ServeLogTable.open(uri, conf, LAYOUT);
                 ServeLogTable second = ServeLogTable.open(uri, conf, LAYOUT)) {
                first.append(rows(0, 300));
                second.append(rows(300, 200));
                first.append(rows(500, 100));
            }
            DeltaSource log = DeltaSource.open(uri, CloudSettings.hadoopSettings(s3.hadoopSettings()));
            long version = log.latestVersion();
            assertEquals(3, version, "created, then one commit an append");
            DeltaSchema schema = log.schema(version);
            int id = schema.indexOf("request_id");
            int key = schema.indexOf("user_id");
            int ctr = schema.indexOf("users__ctr");
            Map<Long, Double> read = new TreeMap<>();
            log.scan(version, row -> {
                assertEquals(row.getLong(id) * 10, row.getLong(key));
                assertEquals(null, read.put(row.getLong(id), row.getDouble(ctr)), "request " + row.getLong(id));
            });
            assertEquals(600, read.size());
            read.forEach((request, value) -> assertEquals(request + 0.5, value));
        }
    }
}
