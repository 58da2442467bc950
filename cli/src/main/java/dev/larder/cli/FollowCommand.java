package dev.larder.cli;

import dev.larder.Definition;
import dev.larder.Larder;
import dev.larder.Source;
import dev.larder.TableStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code larder follow}: bootstraps (if new) and tails Delta tables and Kafka topics through the ingest ring until
 * stopped (Ctrl-C / SIGTERM close it cleanly) or for {@code --duration}; prints and persists status periodically.
 */
@Command(name = "follow",
        description = "Bootstrap (if new) and follow Delta tables or Kafka topics, applying each new commit"
                + " or batch of records exactly once, in order.")
final class FollowCommand implements Callable<Integer> {
    /** One followed table: its Delta source, key and name. */
    static final class Feed {
        @Option(names = "--delta", description = "Delta table path or Hadoop filesystem URI (or --uc-table).")
        String delta;

        @Option(names = "--uc-table", paramLabel = "CATALOG.SCHEMA.TABLE",
                description = "Unity Catalog table name (instead of --delta).")
        String ucTable;

        @Option(names = "--kafka", paramLabel = "BOOTSTRAP",
                description = "Kafka bootstrap servers of a topic to follow"
                        + " (instead of --delta; with --topic, and --schema for a new table).")
        String kafka;

        @Option(names = "--topic",
                description = "The Kafka topic (with --kafka): record key = the key, value = the row as"
                        + " JSON or Avro (--value-format), a null value deletes.")
        String topic;

        @Option(names = "--schema", paramLabel = "'NAME TYPE, ...'",
                description = "Columns of a new Kafka-fed table, e.g."
                        + " 'user_id string, clicks int64, score float64' (with --kafka).")
        String schema;

        @Option(names = "--value-format", paramLabel = "FORMAT",
                description = "Kafka record values (with --kafka): json"
                        + " (default), avro (one --avro-schema), avro-single-object or avro-confluent"
                        + " (--avro-schema ID=FILE).")
        String valueFormat;

        @Option(names = "--avro-schema", paramLabel = "FILE", description = "An Avro writer schema (.avsc) of the"
                + " values; repeat for several.")
        List<String> avroSchemas;

        @Option(names = "--event-time", paramLabel = "COLUMN",
                description = "With --delta (or --uc-table) and --kafka/--topic: the topic's records are applied on"
                        + " top of the Delta table, and this timestamp or int64 column orders the two (an older event"
                        + " never overwrites a newer value).")
        String eventTime;

        @Option(names = "--key", required = true, split = ",", description = "Key column(s), comma-separated.")
        List<String> key;

        @Option(names = "--table", required = true, description = "Table name in the store.",
                converter = TableNameConverter.class)
        String table;
    }

    @Option(names = "--store", description = "Store directory (with --definition: default the file's store).")
    Path store;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<Feed> feeds;

    @Option(names = "--definition", paramLabel = "FILE",
            description = "A definition file (YAML: tables, sources, keys, TTLs, "
                    + "defaults, vectors) to follow instead of --delta/--kafka/--key/--table;"
                    + " Delta tables and Kafka topics"
                    + " (kafka: {bootstrap, topic, schema}), or a topic on top of a Delta table (stream: {kafka: ...},"
                    + " event_time: COLUMN), checked against the Delta tables first.")
    Path definition;

    @Mixin
    HadoopOptions hadoop;

    @Mixin
    ShardOptions shards;

    @Option(names = "--poll", defaultValue = "1s", converter = DurationConverter.class,
            description = "Poll interval (default ${DEFAULT-VALUE}).")
    Duration poll;

    @Option(names = "--max-staleness", defaultValue = "5m", converter = DurationConverter.class,
            description = "A table is unhealthy when it has not reflected its source's newest version for this long"
                    + " (default ${DEFAULT-VALUE}).")
    Duration maxStaleness;

    @Option(names = "--duration", converter = DurationConverter.class,
            description = "Stop after this long (default: until interrupted).")
    Duration duration;

    @Option(names = "--status-every", defaultValue = "10s", converter = DurationConverter.class,
            description = "Print status and write " + StatsFile.NAME + " this often (default ${DEFAULT-VALUE}).")
    Duration statusEvery;

    @Option(names = "--inline-bytes", defaultValue = "" + Source.DEFAULT_INLINE_BYTES,
            description = "Bytes of each non-key string/binary kept inline in the row; longer values go to the table's"
            + " heap by their length (default ${DEFAULT-VALUE}; key strings stay inline, up to 64 bytes or this if"
            + " larger).")
    int inlineBytes;

    @Override
    public Integer call() throws Exception {
        OptionChecks.positive("--poll", poll);
        OptionChecks.positive("--max-staleness", maxStaleness);
        OptionChecks.positive("--status-every", statusEvery);
        if (duration != null) {
            OptionChecks.positive("--duration", duration);
        }
        OptionChecks.inlineBytes("--inline-bytes", inlineBytes);
        if ((definition == null) == (feeds == null || feeds.isEmpty())) {
            throw new IllegalArgumentException("follow a --definition FILE or --delta/--uc-table/--kafka with --key and"
                    + " --table, "
                    + (definition == null ? "not neither" : "not both"));
        }
        if (definition != null && shards.given()) {
            throw new IllegalArgumentException("with --definition, declare shards in the file (shards: {count: N,"
                    + " own: [I]} under a table), not with --shards/--own");
        }
        if (definition != null) {
            Definition d = Definition.read(definition);
            store = store != null ? store : d.store();
            if (store == null) {
                throw new IllegalArgumentException(definition + " names no store: add 'store: DIR' or pass --store");
            }
            Larder larder = d.open(store);
            for (String t : d.tables()) {
                System.out.printf("following %s as %s%n", d.source(t), t);
            }
            return serve(larder);
        }
        if (store == null) {
            throw new IllegalArgumentException("--store is required");
        }
        Larder.Builder builder = Larder.builder(store).pollInterval(poll).maxStaleness(maxStaleness)
                .unityCatalog(hadoop.catalogUri(), hadoop.catalogTokenEnv());
        for (Feed f : feeds) {
            builder.follow(f.table, shards.apply(source(f)));
        }
        // The builder checks every feed (Delta table readable, key columns valid) before it creates the store.
        Larder larder = builder.open();
        for (Feed f : feeds) {
            if (f.kafka != null && f.eventTime != null) {
                System.out.printf("following %s with Kafka topic %s at %s on top (by event time %s) as %s (key %s)%n",
                        larder.table(f.table).source(), f.topic, f.kafka, f.eventTime, f.table, f.key.get(0));
            } else if (f.kafka != null) {
                System.out.printf("following Kafka topic %s at %s as %s (key %s)%n", f.topic, f.kafka, f.table,
                        f.key.get(0));
            } else {
                System.out.printf("following %s as %s (key %s)%n", larder.table(f.table).source(), f.table,
                        String.join(",", f.key));
            }
        }
        return serve(larder);
    }

    /**
     * The source of one feed: a Kafka topic (README, Streaming from Kafka), a Delta table, or a Delta table with a
     * Kafka topic on top ordered by {@code --event-time} (README, Batch plus stream on one table).
     */
    private Source source(Feed f) {
        boolean kafka = f.kafka != null || f.topic != null || f.schema != null;
        if (f.eventTime != null) {
            if (f.kafka == null || f.topic == null || f.schema != null || (f.delta == null && f.ucTable == null)) {
                throw new IllegalArgumentException("table " + f.table + ": --event-time orders a Kafka topic applied"
                        + " on top of a Delta table: give --delta (or --uc-table), --kafka BOOTSTRAP and --topic T"
                        + " (no --schema: the columns are the Delta table's)");
            }
            return delta(f).stream(values(Source.kafka(f.kafka, f.topic), f)).eventTime(f.eventTime);
        }
        if (!kafka) {
            return delta(f);
        }
        if (f.kafka == null || f.topic == null || f.delta != null || f.ucTable != null) {
            throw new IllegalArgumentException("table " + f.table + ": a Kafka feed takes --kafka BOOTSTRAP and"
                    + " --topic T (and no --delta/--uc-table, unless --event-time applies the topic on top)");
        }
        // The builder refuses a key of more than one column (Kafka.check), as for a definition file's table.
        Source s = values(Source.kafka(f.kafka, f.topic).key(f.key.toArray(String[]::new)), f);
        return f.schema == null ? s : s.schema(f.schema);
    }

    /** {@code f}'s Delta table, by path or Unity Catalog name, with its key and this command's inline bytes. */
    private Source delta(Feed f) {
        return hadoop.source(f.delta, f.ucTable).key(f.key.toArray(String[]::new)).inlineBytes(inlineBytes);
    }

    /** Kafka source {@code s} with {@code f}'s value format, if one is given. */
    private static Source values(Source s, Feed f) {
        if (f.valueFormat == null && f.avroSchemas == null) {
            return s;
        }
        return s.values(f.valueFormat == null ? "json" : f.valueFormat,
                f.avroSchemas == null ? new String[0] : f.avroSchemas.toArray(String[]::new));
    }

    /**
     * Reports status until stopped (SIGTERM, Ctrl-C) or {@code --duration} passes, then closes {@code larder}; a
     * shutdown hook waits for that close, so a stopped process exits with its tables synced.
     */
    int serve(Larder larder) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.countDown();
            try {
                closed.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "larder-follow-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            while (true) {
                long wait = Math.min(statusEvery.toNanos(), end - System.nanoTime());
                if (wait <= 0 || stop.await(wait, TimeUnit.NANOSECONDS)) {
                    break;
                }
                report(larder);
            }
            report(larder);
            System.out.println("stopping: closing followers and syncing tables");
        } finally {
            try {
                larder.close();
            } finally {
                closed.countDown();
                if (duration != null) {
                    Runtime.getRuntime().removeShutdownHook(hook);
                }
            }
        }
        return 0;
    }

    /**
     * Prints status and rewrites the stats file; a file that cannot be written (a full disk) costs a warning, not the
     * feed.
     */
    private void report(Larder larder) {
        for (TableStatus s : larder.status()) {
            System.out.println(StatsFile.statusLine(s));
        }
        try {
            StatsFile.write(store, StatsFile.render(larder));
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("warning: cannot write " + store.resolve(StatsFile.NAME) + " (" + e.getMessage()
                    + "); following goes on");
        }
    }
}
