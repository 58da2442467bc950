package dev.larder.cli;

import dev.larder.Source;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * {@code --shards N --own i[,j...] [--shard-column C]}: the key shards a loaded or followed table holds, and the
 * partition column of the Delta table that holds each row's shard, if it has one (README, Shards).
 */
final class ShardOptions {
    @Option(names = "--shards", paramLabel = "N", description = "Hold only some of N key shards (Spark's "
            + "pmod(hash(key), N)); with --own.")
    Integer count;

    @Option(names = "--own", paramLabel = "I", split = ",", description = "The shards held, comma-separated, with"
            + " --shards.")
    List<Integer> owned;

    @Option(names = "--shard-column", paramLabel = "COLUMN", description = "The Delta table is partitioned by"
            + " COLUMN = pmod(hash(key), N): read only the owned partitions' files; with --shards.")
    String column;

    /** Whether --shards, --own or --shard-column was given. */
    boolean given() {
        return count != null || owned != null || column != null;
    }

    /** {@code source} holding the shards given, or as it is when none were. */
    Source apply(Source source) {
        if ((count == null) != (owned == null)) {
            throw new IllegalArgumentException("give --shards N and --own I[,J...] together");
        }
        if (column != null && count == null) {
            throw new IllegalArgumentException("--shard-column needs --shards N and --own I[,J...]");
        }
        if (count == null) {
            return source;
        }
        Source sharded = source.shards(count, owned.stream().mapToInt(Integer::intValue).toArray());
        return column == null ? sharded : sharded.shardColumn(column);
    }
}
