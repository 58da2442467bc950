package dev.larder.kafka;

import dev.larder.ingest.LarderEngine;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.TableOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A process that follows a Delta table and a topic into table {@code t} of a store until killed: {@code STORE
 * BOOTSTRAP TOPIC DELTA_URI MAX_POLL_RECORDS}; the child of {@link BatchAndKafkaKillLoopTest}. Small polls make many
 * versions, so a kill lands between consuming and syncing.
 */
public final class BatchAndKafkaFollowMain {
    private BatchAndKafkaFollowMain() {
    }

    public static void main(String[] args) throws Exception {
        LarderEngine engine = LarderEngine.open(Path.of(args[0]), KafkaChangeSourceTest.ingest());
        DeltaChangeSource batch = new DeltaChangeSource(DeltaSource.open(args[3]), List.of("id"), 64,
                ScanProgress.NONE);
        KafkaFeed feed = new KafkaFeed(args[1], args[2], batch.schema(),
                Map.of("max.poll.records", Integer.parseInt(args[4]), "max.partition.fetch.bytes", 16 << 10),
                Duration.ofSeconds(30));
        BatchAndKafkaSource.follow(engine, "t", batch, feed, KafkaChangeSourceTest.follow()
                .withTableOptions(TableOptions.DEFAULT.withEventTime("ts")));
        System.out.println("following");
        Thread.sleep(Long.MAX_VALUE);
    }
}
