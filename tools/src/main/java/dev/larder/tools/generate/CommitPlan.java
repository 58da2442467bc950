package dev.larder.tools.generate;

import java.util.Arrays;

/**
 * What one commit after version 0 does to the key set. Deleted and updated keys are disjoint, were live before the
 * commit, and are sorted; inserted keys are the contiguous range
 * {@code [firstInsertedKey, firstInsertedKey + insertedCount)}.
 */
public final class CommitPlan {
    private final long version;
    private final long[] deleted;
    private final long[] updated;
    private final long firstInsertedKey;
    private final int insertedCount;

    CommitPlan(long version, long[] deleted, long[] updated, long firstInsertedKey, int insertedCount) {
        this.version = version;
        this.deleted = deleted;
        this.updated = updated;
        this.firstInsertedKey = firstInsertedKey;
        this.insertedCount = insertedCount;
    }

    public long version() {
        return version;
    }

    public long[] deletedKeys() {
        return deleted.clone();
    }

    public long[] updatedKeys() {
        return updated.clone();
    }

    public long firstInsertedKey() {
        return firstInsertedKey;
    }

    public int insertedCount() {
        return insertedCount;
    }

    boolean isDeleted(long key) {
        return Arrays.binarySearch(deleted, key) >= 0;
    }

    /** Index of {@code key} in the sorted updated keys, or a negative number if the commit does not update it. */
    int updatedIndex(long key) {
        return Arrays.binarySearch(updated, key);
    }

    long updatedKey(int index) {
        return updated[index];
    }

    /** Whether any deleted or updated key lies in {@code [min, max]}. */
    boolean touchesRange(long min, long max) {
        return anyInRange(deleted, min, max) || anyInRange(updated, min, max);
    }

    private static boolean anyInRange(long[] sorted, long min, long max) {
        int at = Arrays.binarySearch(sorted, min);
        int insertion = at >= 0 ? at : -at - 1;
        return insertion < sorted.length && sorted[insertion] <= max;
    }

    @Override
    public String toString() {
        return "CommitPlan[version=" + version + ", deleted=" + deleted.length + ", updated=" + updated.length
                + ", inserted=" + insertedCount + " from " + firstInsertedKey + "]";
    }
}
