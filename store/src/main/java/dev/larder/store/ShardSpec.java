package dev.larder.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.StringJoiner;

/**
 * Immutable: which of a table's {@link #count()} key shards this store holds. A key's shard is Spark's
 * {@code pmod(hash(key columns), count)} ({@link SparkHash}); rows of other shards are not stored, and a lookup of
 * their keys answers {@link ReadStatus#NOT_OWNED}, so a router can send it to a replica that holds the shard.
 */
public final class ShardSpec {
    /** One shard, owned: every key is this store's. */
    public static final ShardSpec ALL = new ShardSpec(1, new int[] {0});

    private final int count;
    private final int[] owned;
    private final boolean[] owns;
    /** The source's partition column holding each row's shard, or null when the source is not partitioned by shard. */
    private final String column;

    private ShardSpec(int count, int[] owned) {
        this(count, owned, null);
    }

    private ShardSpec(int count, int[] owned, String column) {
        this.count = count;
        this.owned = owned;
        this.column = column;
        this.owns = new boolean[count];
        for (int s : owned) {
            owns[s] = true;
        }
    }

    /**
     * Shards {@code owned} of {@code count}.
     *
     * @throws IllegalArgumentException when {@code count} is not positive, no shard is owned, or one is out of range
     */
    public static ShardSpec of(int count, int... owned) {
        if (count < 1) {
            throw new IllegalArgumentException("shard count must be positive, not " + count);
        }
        int[] sorted = Arrays.stream(owned).distinct().sorted().toArray();
        if (sorted.length == 0) {
            throw new IllegalArgumentException("own at least one of the " + count + " shards");
        }
        if (sorted[0] < 0 || sorted[sorted.length - 1] >= count) {
            throw new IllegalArgumentException("owned shards " + Arrays.toString(sorted) + " must lie in 0.."
                    + (count - 1));
        }
        return count == 1 ? ALL : new ShardSpec(count, sorted);
    }

    /**
     * These shards, read from a source partitioned by {@code column}, a column that holds each row's shard (on
     * Databricks: {@code pmod(hash(key columns), count)}), so a snapshot or change feed reads only the owned
     * partitions' files. Rows of a file read are still checked: a wrong column costs speed, and {@code verify} names
     * the keys it lost.
     */
    public ShardSpec partitionedBy(String column) {
        if (column == null || column.isBlank() || column.contains("@")) {
            throw new IllegalArgumentException("shard column must be a column name, not '" + column + "'");
        }
        if (ownsAll()) {
            throw new IllegalArgumentException("a shard column prunes only a table that holds some of its shards");
        }
        return new ShardSpec(count, owned, column);
    }

    /** The source's partition column holding each row's shard ({@link #partitionedBy}), or null. */
    public String partitionColumn() {
        return column;
    }

    /** Parses {@link #toString()}'s form, {@code "count:i,j,..."} or {@code "count:i,j,...@column"}. */
    public static ShardSpec parse(String text) {
        int at = text.indexOf('@');
        if (at >= 0) {
            return parse(text.substring(0, at)).partitionedBy(text.substring(at + 1).trim());
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("shards '" + text + "': expected COUNT:OWNED,... (e.g. 4:0,2)");
        }
        try {
            int count = Integer.parseInt(text.substring(0, colon).trim());
            int[] owned = Arrays.stream(text.substring(colon + 1).split(",")).map(String::trim)
                    .mapToInt(Integer::parseInt).toArray();
            return of(count, owned);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("shards '" + text + "': expected COUNT:OWNED,... (e.g. 4:0,2)", e);
        }
    }

    public int count() {
        return count;
    }

    /** The owned shards, ascending (a copy). */
    public int[] owned() {
        return owned.clone();
    }

    /** Whether every key is owned (one shard, or all of them). */
    public boolean ownsAll() {
        return owned.length == count;
    }

    /** Whether shard {@code shard} is owned. */
    public boolean owns(int shard) {
        return owns[shard];
    }

    /**
     * Whether the key held in {@code row}'s key columns falls in an owned shard; {@code scratch} (at least
     * {@link RowBuffer#keyCapacity()} bytes) receives its encoding, so nothing is allocated.
     */
    public boolean ownsRow(RowBuffer row, byte[] scratch) {
        row.encodeKey(scratch);
        return ownsKey(row.schema(), scratch);
    }

    /** Whether the key in canonical encoding {@code key} of a table of {@code schema} falls in an owned shard. */
    boolean ownsKey(FeatureSchema schema, byte[] key) {
        return owns[SparkHash.shardOf(SparkHash.hashKey(schema, key), count)];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardSpec s && s.count == count && Arrays.equals(s.owned, owned)
                && Objects.equals(s.column, column);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * count + Arrays.hashCode(owned)) + Objects.hashCode(column);
    }

    /** {@code "count:i,j,..."}, then {@code "@column"} when partitioned by one, as {@link #parse} reads it. */
    @Override
    public String toString() {
        StringJoiner j = new StringJoiner(",", count + ":", column == null ? "" : "@" + column);
        for (int s : owned) {
            j.add(Integer.toString(s));
        }
        return j.toString();
    }
}
