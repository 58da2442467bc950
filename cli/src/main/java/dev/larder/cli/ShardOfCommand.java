package dev.larder.cli;

import dev.larder.store.ColumnType;
import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.Key;
import dev.larder.store.ShardSpec;
import dev.larder.store.SparkHash;
import dev.larder.store.TableMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code larder shard-of}: the shard of each key, Spark's {@code pmod(hash(key columns), N)}, for routers and scripts.
 * The key schema comes from {@code --type} (one column) or from a table's metadata (read without opening the table).
 */
@Command(name = "shard-of", description = "Print the shard of each key, Spark's pmod(hash(key columns), N): one line"
        + " per key, the key then a tab then its shard.")
final class ShardOfCommand implements Callable<Integer> {
    @Option(names = "--shards", paramLabel = "N", description = "Number of shards (default: the --table's own).")
    Integer shards;

    @Option(names = "--type", description = "Type of a one-column key: int32, int64 or string (or --store/--table).")
    String type;

    @Option(names = "--store", description = "Store directory holding --table, whose key schema to use.")
    Path store;

    @Option(names = "--table", description = "Table whose key schema (composite keys included) to use.",
            converter = TableNameConverter.class)
    String table;

    @Parameters(arity = "1..*", paramLabel = "KEY", description = "Keys; a composite key's values comma-separated in"
            + " key order (dates as 2026-11-24, binaries as base64).")
    List<String> keys;

    @Override
    public Integer call() {
        if ((type == null) == (table == null) || (table == null) != (store == null)) {
            throw new IllegalArgumentException("give --type, or --store and --table");
        }
        FeatureSchema schema;
        String what;
        int n;
        if (type != null) {
            schema = FeatureSchema.builder().keyColumn("key", keyType(type)).build();
            what = "a " + type + " key";
            n = shardCount(shards, null);
        } else {
            TableMetadata md;
            try (FeatureStore s = FeatureStore.openReadOnly(store)) {
                md = s.metadata(table);
            }
            schema = md.schema();
            what = "table " + table;
            n = shardCount(shards, md.shards());
        }
        StringBuilder out = new StringBuilder();
        for (String text : keys) {
            String[] values = schema.keyColumnCount() == 1 ? new String[] {text} : text.split(",", -1);
            Key k = CliKeys.parse(what, schema, values);
            out.append(text).append('\t').append(SparkHash.shardOf(k.sparkHash(), n)).append('\n');
        }
        System.out.print(out);
        return 0;
    }

    private static int shardCount(Integer given, ShardSpec table) {
        if (given != null) {
            if (given < 1) {
                throw new IllegalArgumentException("--shards must be positive, not " + given);
            }
            return given;
        }
        if (table == null || table.count() == 1) {
            throw new IllegalArgumentException("give --shards N"
                    + (table == null ? "" : " (the table is not sharded)"));
        }
        return table.count();
    }

    private static ColumnType keyType(String name) {
        return switch (name) {
            case "int32" -> ColumnType.INT32;
            case "int64" -> ColumnType.INT64;
            case "string" -> ColumnType.STRING;
            default -> throw new IllegalArgumentException("--type must be int32, int64 or string, not '" + name + "'");
        };
    }
}
