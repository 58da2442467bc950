package dev.larder.kafka;

import dev.larder.ingest.LarderEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * A process that follows a topic into a store until killed: {@code STORE BOOTSTRAP TOPIC MAX_POLL_RECORDS}; the child
 * of {@link KafkaKillLoopTest}. Small polls make many versions, so a kill lands between consuming and syncing, and
 * small fetches take every partition in turn.
 */
public final class KafkaFollowMain {
    private KafkaFollowMain() {
    }

    public static void main(String[] args) throws Exception {
        LarderEngine engine = LarderEngine.open(Path.of(args[0]), KafkaChangeSourceTest.ingest());
        KafkaFeed feed = new KafkaFeed(args[1], args[2], KafkaChangeSourceTest.SCHEMA,
                Map.of("max.poll.records", Integer.parseInt(args[3]), "max.partition.fetch.bytes", 16 << 10),
                Duration.ofSeconds(30));
        KafkaChangeSource.follow(engine, args[2], feed, KafkaChangeSourceTest.follow());
        System.out.println("following");
        Thread.sleep(Long.MAX_VALUE);
    }
}
