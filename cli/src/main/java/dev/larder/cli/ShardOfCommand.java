package dev.larder.cli;

import dev.larder.ColumnType;
import dev.larder.Key;
import dev.larder.Larder;
import dev.larder.Schema;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code larder shard-of}: the shard of each key, Spark's {@code pmod(hash(key columns), N)}, for routers and scripts.
 * The key schema comes from {@code --type} (one column) or from a table of a store (opened read-only).
 */
@Command(name = "shard-of", description = "Print the shard of each key, Spark's pmod(hash(key columns), N): one line"
        + " per key, the key then a tab then its shard.")
final class ShardOfCommand implements Callable<Integer> {
    @Option(names = "--shards", paramLabel = "N", required = true, description = "Number of shards.")
    int shards;

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
        if (shards < 1) {
            throw new IllegalArgumentException("--shards must be positive, not " + shards);
        }
        Schema schema;
        if (type != null) {
            schema = Schema.builder().keyColumn("key", keyType(type)).build();
        } else {
            try (Larder larder = Larder.openReadOnly(store)) {
                schema = larder.table(table).schema();
            }
        }
        Key k = schema.newKey();
        StringBuilder out = new StringBuilder();
        for (String text : keys) {
            String[] values = schema.keyColumns().size() == 1 ? new String[] {text} : text.split(",", -1);
            CliKeys.parse(table != null ? table : "a " + type + " key", schema, values, k);
            out.append(text).append('\t').append(k.shard(shards)).append('\n');
        }
        System.out.print(out);
        return 0;
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
