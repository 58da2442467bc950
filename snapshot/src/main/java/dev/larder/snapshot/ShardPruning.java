package dev.larder.snapshot;

import dev.larder.store.ShardSpec;

/**
 * Immutable: which data files a reader of some key shards can skip, when the table is partitioned by a column holding
 * each row's shard ({@link ShardSpec#partitionColumn()}). Only a file whose partition value names a shard of the
 * spec's range that is not owned is skipped; a file without a usable value is read, and its rows are filtered by key
 * as every sharded read's are, so pruning changes what is read, never what is stored.
 */
final class ShardPruning {
    static final ShardPruning NONE = new ShardPruning(ShardSpec.ALL);

    private final ShardSpec shards;

    private ShardPruning(ShardSpec shards) {
        this.shards = shards;
    }

    static ShardPruning of(ShardSpec shards) {
        return shards.partitionColumn() == null ? NONE : new ShardPruning(shards);
    }

    /**
     * Whether {@code file} must be read.
     *
     * @throws DeltaReadException when the shard column is not a partition column of the table at {@code version}
     */
    boolean reads(FileAction file, TableLayout layout, String root, long version) {
        String column = shards.partitionColumn();
        if (column == null) {
            return true;
        }
        int i = layout.schema.indexOf(column);
        if (i < 0 || layout.partitionKey[i] == null) {
            throw new DeltaReadException(DeltaReadException.Reason.INCOMPATIBLE_SCHEMA, root, version, null,
                    column, "the shard column '" + column + "' is not a partition column of the table (partition"
                    + " columns: " + layout.schema.partitionColumns() + ")", null);
        }
        String raw = file.partitionValues() == null ? null : file.partitionValues().get(layout.partitionKey[i]);
        if (raw == null) {
            return true;
        }
        int shard;
        try {
            shard = Integer.parseInt(raw.trim());
        } catch (NumberFormatException e) {
            return true;
        }
        return shard < 0 || shard >= shards.count() || shards.owns(shard);
    }
}
