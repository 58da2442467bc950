package dev.larder.cli;

import dev.larder.Larder;
import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.kafka.KafkaChangeSource;
import dev.larder.kafka.KafkaFeed;
import dev.larder.kafka.KafkaValues;
import dev.larder.store.FeatureSchema;
import dev.larder.store.ShardSpec;
import dev.larder.store.TableOptions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code larder follow --kafka BOOTSTRAP --topic T --key COL --table NAME [--schema COLS]}: follows Kafka topics into
 * tables of the store (README, Streaming from Kafka), with the shard options of Delta feeds; stateless.
 */
final class KafkaFollow {
    private KafkaFollow() {
    }

    /** Checks the Kafka feeds of {@code cmd}, starts following them and serves until {@code cmd} says stop. */
    static int follow(FollowCommand cmd) throws Exception {
        if (cmd.definition != null) {
            throw new IllegalArgumentException("follow --kafka takes no --definition; definition files declare Delta"
                    + " sources only");
        }
        if (cmd.store == null) {
            throw new IllegalArgumentException("--store is required");
        }
        for (FollowCommand.Feed f : cmd.feeds) {
            if (f.kafka == null || f.topic == null || f.delta != null || f.ucTable != null) {
                throw new IllegalArgumentException("table " + f.table + ": a Kafka feed takes --kafka BOOTSTRAP"
                        + " and --topic T (and no --delta/--uc-table); one follow command follows Kafka or Delta,"
                        + " not both");
            }
            if (f.key.size() != 1) {
                throw new IllegalArgumentException("table " + f.table + ": a Kafka-fed table has one key column (the"
                        + " record key), not " + f.key);
            }
        }
        LarderEngine engine = LarderEngine.open(cmd.store, IngestOptions.DEFAULT);
        Larder larder = Larder.over(engine);
        Map<String, KafkaChangeSource> sources = new LinkedHashMap<>();
        try {
            FollowOptions options = FollowOptions.DEFAULT.withPollInterval(cmd.poll).withMaxStaleness(cmd.maxStaleness)
                    .withTableOptions(TableOptions.DEFAULT.withShards(shards(cmd.shards)));
            for (FollowCommand.Feed f : cmd.feeds) {
                FeatureSchema schema = schema(engine, f);
                KafkaFeed feed = new KafkaFeed(f.kafka, f.topic, schema, Map.of(), Duration.ofSeconds(30),
                        KafkaValues.parse(f.valueFormat, f.avroSchemas));
                sources.put(f.table, KafkaChangeSource.of(KafkaChangeSource.follow(engine, f.table, feed, options)));
                System.out.printf("following Kafka topic %s at %s as %s (key %s)%n", f.topic, f.kafka, f.table,
                        f.key.get(0));
            }
        } catch (RuntimeException | Error e) {
            larder.close();
            throw e;
        }
        // A stopped partition leaves the table healthy (the others flow): say so with every status report.
        return cmd.serve(larder, () -> sources.forEach((table, source) -> source.stoppedPartitions().values()
                .forEach(error -> System.out.println(table + ": partition stopped: " + error))));
    }

    /** The schema given, or the stored table's when there is one and none was given. */
    private static FeatureSchema schema(LarderEngine engine, FollowCommand.Feed f) {
        if (f.schema != null) {
            return KafkaFeed.schema(f.schema, f.key.get(0));
        }
        if (engine.store().currentGeneration(f.table) < 0) {
            throw new IllegalArgumentException("table " + f.table + " is new: give its columns with --schema"
                    + " 'NAME TYPE, ...' (the key " + f.key.get(0) + " among them)");
        }
        return engine.store().table(f.table).schema();
    }

    private static ShardSpec shards(ShardOptions o) {
        if ((o.count == null) != (o.owned == null)) {
            throw new IllegalArgumentException("give --shards N and --own I[,J...] together");
        }
        return o.count == null ? ShardSpec.ALL
                : ShardSpec.of(o.count, o.owned.stream().mapToInt(Integer::intValue).toArray());
    }
}
