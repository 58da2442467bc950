package dev.larder.snapshot;

import dev.larder.ingest.ChangeSink;
import dev.larder.store.FeatureSchema;
import dev.larder.store.RowBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns a Delta table into feature-table changes: a bootstrap scan at one version, then commit after commit of the
 * change feed, normalised for a key-value table and handed to an ingest {@link ChangeSink} (the ring: a follower's,
 * or a one-shot {@code Larder.load} / {@code Larder.applyChanges}). One thread drives an instance.
 *
 * <p>Per commit: inserts and post-images are upserts, applied once every removal of the commit is known (as they
 * arrive when the feed delivers removals first, else held until the commit's end: see
 * {@link DeltaCommit#removalsFirst()}); deletes and pre-images are held back (as
 * key and values' hash, {@link RemovedRows}) and, at the end of the commit, applied only for keys the commit did not
 * also upsert; a key removed and re-added with identical values (the untouched rows of a rewritten file) is no change
 * at all. So an UPDATE (pre-image then
 * post-image of one key), a copy-on-write rewrite (remove then add of the same rows) and a key-changing update
 * (old key only in a pre-image) all end right, and a reader never sees an updated key briefly vanish. A commit that
 * adds one key twice (two inserts or post-images), or adds a key the table already holds from an earlier version
 * without removing it (a sink that can tell, {@link ChangeSink#storedVersion}), would leave two rows with one key in
 * the Delta table: it stops the feed with {@link DeltaReadException.Reason#DUPLICATE_KEY} naming the key and both
 * files, before {@code end()}. The check holds every key the commit adds in a {@link KeySet}, or, for a key it also
 * removes, in its {@link RemovedRows} entry. A commit whose
 * schema drops or retypes a stored column stops the feed with {@link DeltaReadException.Reason#INCOMPATIBLE_SCHEMA}
 * before any of its rows. Columns added later (nullable, as Delta requires) are ignored, or, for a feed built with
 * {@code stopOnAddedColumns}, stop it with {@link DeltaReadException.Reason#COLUMNS_ADDED} so the caller can rebuild a
 * table that stores them.
 */
public final class DeltaFeed {
    private final DeltaSource source;
    private final FeatureSchema schema;
    private final DeltaRowCopier copier;
    private final boolean stopOnAddedColumns;

    public DeltaFeed(DeltaSource source, FeatureSchema schema) {
        this(source, schema, false);
    }

    public DeltaFeed(DeltaSource source, FeatureSchema schema, boolean stopOnAddedColumns) {
        this.source = source;
        this.schema = schema;
        this.copier = new DeltaRowCopier(schema);
        this.stopOnAddedColumns = stopOnAddedColumns;
    }

    public FeatureSchema schema() {
        return schema;
    }

    /** Streams the snapshot at {@code version} as upserts, then ends the version. Returns the rows loaded. */
    public long bootstrap(long version, ChangeSink sink, ScanProgress progress) {
        String incompatible = DeltaFeatureSchemas.incompatibility(schema, source.schema(version));
        if (incompatible != null) {
            throw new DeltaReadException(DeltaReadException.Reason.INCOMPATIBLE_SCHEMA, source.tablePath(), version,
                    null, null, incompatible, null);
        }
        sink.begin(version, source.commitTimestamp(version));
        ChangeSink.Lane first = sink.lane();
        long rows;
        if (first == null) {
            rows = source.scan(version, r -> sink.upsert(copy(copier, r, sink.row(), version)), progress,
                    sink.shards());
        } else {
            // Files are decoded on several threads, each into a lane of its own; the caller's takes the first lane.
            AtomicReference<ChangeSink.Lane> unused = new AtomicReference<>(first);
            rows = source.scan(version, DeltaSource.SCAN_THREADS, () -> {
                ChangeSink.Lane taken = unused.getAndSet(null);
                ChangeSink.Lane lane = taken != null ? taken : sink.lane();
                DeltaRowCopier own = new DeltaRowCopier(schema);
                return r -> lane.upsert(copy(own, r, lane.row(), version));
            }, progress, sink.shards());
        }
        sink.end();
        return rows;
    }

    /**
     * Applies every commit from {@code fromVersion} through {@code toVersion} (inclusive) to the sink; returns the last
     * version completed ({@code fromVersion - 1} when none). Stops with a {@link DeltaReadException} on bad input; the
     * versions completed before it stay completed, and resuming at the returned version + 1 is exact.
     */
    public long applyChanges(long fromVersion, long toVersion, ChangeSink sink) {
        if (fromVersion > toVersion) {
            return toVersion;
        }
        CommitNormaliser n = new CommitNormaliser(sink);
        long last = source.changes(fromVersion, toVersion, n, sink.shards());
        if (n.stopped != null) {
            throw n.stopped;
        }
        return last;
    }

    private RowBuffer copy(DeltaRowCopier rowCopier, DeltaRow r, RowBuffer row, long version) {
        try {
            rowCopier.copy(r, row);
            return row.checkKey();
        } catch (IllegalArgumentException e) {
            throw new DeltaReadException(DeltaReadException.Reason.INVALID_DATA, source.tablePath(), version, null,
                    null, e.getMessage(), e);
        }
    }

    private final class CommitNormaliser implements ChangeConsumer {
        private final ChangeSink sink;
        /** The commit's removals by key, each with its values' hash, until an addition of the key claims it. */
        private final RemovedRows pendingDeletes = new RemovedRows();
        /** Keys the commit added without removing them, each with the index in {@link #files} of the file adding it. */
        private final KeySet addedKeys = new KeySet();
        private final List<String> files = new ArrayList<>();
        private final Map<String, Integer> fileIndex = new HashMap<>();
        private int file = -1;
        private final byte[] key;
        private byte[] image = new byte[0];
        /**
         * The additions of a commit read in file order ({@link DeltaCommit#removalsFirst()} false), held until its
         * removals are all known: row images back to back in {@link #held}, each with its end offset and file index.
         */
        private byte[] held = new byte[0];
        private int heldBytes;
        private int[] heldEnds = new int[0];
        private int[] heldFiles = new int[0];
        private int heldRows;
        private DeltaCommit commit;
        DeltaReadException stopped;

        CommitNormaliser(ChangeSink sink) {
            this.sink = sink;
            this.key = new byte[new RowBuffer(schema).keyCapacity()];
        }

        @Override
        public boolean beginCommit(DeltaCommit c) {
            String incompatible = c.metadataChanged() ? DeltaFeatureSchemas.incompatibility(schema, c.schema()) : null;
            if (incompatible != null) {
                stopped = new DeltaReadException(DeltaReadException.Reason.INCOMPATIBLE_SCHEMA, source.tablePath(),
                        c.version(), null, null,
                        incompatible + "; the feed stops here and reads continue on version " + (c.version() - 1),
                        null);
                return false;
            }
            List<String> added = stopOnAddedColumns && c.metadataChanged()
                    ? DeltaFeatureSchemas.addedColumns(schema, c.schema()) : List.of();
            if (!added.isEmpty()) {
                stopped = new DeltaReadException(DeltaReadException.Reason.COLUMNS_ADDED, source.tablePath(),
                        c.version(), null, added.get(0), "the table gained column(s) " + added, null);
                return false;
            }
            commit = c;
            heldBytes = 0;
            heldRows = 0;
            pendingDeletes.clear();
            addedKeys.clear();
            files.clear();
            fileIndex.clear();
            file = -1;
            sink.begin(c.version(), c.timestampMillis());
            return true;
        }

        @Override
        public void beginFile(String path) {
            file = fileIndex.computeIfAbsent(path, p -> {
                files.add(p);
                return files.size() - 1;
            });
        }

        @Override
        public boolean takesRowsInFileOrder() {
            return true;
        }

        /**
         * Allocation-free per row: a removal records its key and its values' hash; an addition claims its key's
         * removal and is applied only when the hash differs, so a rewritten file costs one pass over each side and the
         * sink sees only the rows that changed.
         */
        @Override
        public void change(ChangeKind kind, DeltaRow r) {
            RowBuffer row = copy(copier, r, sink.row(), commit.version());
            if (kind.removesImage()) {
                pendingDeletes.put(key, row.encodeKey(key), valueHash(row));
            } else if (commit.removalsFirst()) {
                add(row);
            } else {
                hold(row);
            }
        }

        /** Keeps an addition of a commit read in file order until the commit's end; amortised allocation-free. */
        private void hold(RowBuffer row) {
            int n = row.exportSize();
            if (held.length - heldBytes < n) {
                held = Arrays.copyOf(held, Math.max(heldBytes + n, held.length * 2));
            }
            if (heldRows == heldEnds.length) {
                heldEnds = Arrays.copyOf(heldEnds, Math.max(16, heldRows * 2));
                heldFiles = Arrays.copyOf(heldFiles, heldEnds.length);
            }
            heldBytes += row.exportTo(held, heldBytes);
            heldEnds[heldRows] = heldBytes;
            heldFiles[heldRows++] = file;
        }

        /** An addition, once every removal of its commit is known. */
        private void add(RowBuffer row) {
            int keyLength = row.encodeKey(key);
            // Every removal of the commit is known, so this is the whole commit's: a key it removed is tracked there (a
            // second addition finds the removal claimed), any other key in addedKeys.
            int removed = pendingDeletes.find(key, keyLength);
            int first = removed >= 0 ? pendingDeletes.claimedBy(removed) : addedKeys.add(key, keyLength, file);
            if (first >= 0) {
                throw duplicate(row, first == file ? "added twice by file " + files.get(file)
                        : "added by file " + files.get(first) + " and again by file " + files.get(file));
            }
            if (removed >= 0) {
                pendingDeletes.claim(removed, file);
                if (pendingDeletes.valueHash(removed) != valueHash(row)) {
                    sink.upsert(row);
                }
            } else {
                checkNotHeld(row, Arrays.copyOf(key, keyLength));
                sink.upsert(row);
            }
        }

        /**
         * A key added without being removed must be new to the table, unless an earlier attempt at this commit wrote
         * it.
         */
        private void checkNotHeld(RowBuffer row, byte[] key) {
            long stored = sink.storedVersion(row);
            if (stored < 0 || stored >= commit.version()) {
                return;
            }
            String other;
            try {
                other = otherFile(key);
            } catch (DeltaReadException e) {
                other = null;
            }
            throw duplicate(row, "file " + files.get(file) + " adds it while "
                    + (other != null ? "file " + other + " still holds it"
                            : "the table holds it since version " + stored)
                    + " and the commit does not remove it");
        }

        /** The live file of the previous version holding {@code key}: a full scan, run only to report a duplicate. */
        private String otherFile(byte[] key) {
            DeltaRowCopier probeCopier = new DeltaRowCopier(schema);
            RowBuffer probe = new RowBuffer(schema);
            return source.fileHolding(commit.version() - 1, r -> {
                try {
                    probeCopier.copy(r, probe.clear());
                    return Arrays.equals(probe.encodeKey(), key);
                } catch (IllegalArgumentException e) {
                    return false;
                }
            });
        }

        private DeltaReadException duplicate(RowBuffer row, String where) {
            return new DeltaReadException(DeltaReadException.Reason.DUPLICATE_KEY, source.tablePath(), commit.version(),
                    files.get(file), null, "duplicate key " + row.keyText() + ": " + where
                    + " (the key columns do not identify rows uniquely); the feed stops here and reads continue on "
                    + "version "
                    + (commit.version() - 1), null);
        }

        /**
         * A copy-on-write rewrite (no cdc files) removes and re-adds every row of a touched file; a row re-added
         * exactly as it was removed is no change, as Delta's own change data feed would not report it either. Rows
         * compare by a 64-bit hash of their whole image (values, nulls and long values): a changed row goes unnoticed
         * only if its hash collides with the old one's, a chance of 2^-64 per changed row.
         */
        private long valueHash(RowBuffer row) {
            int n = row.exportSize();
            if (image.length < n) {
                image = new byte[Math.max(n, image.length * 2)];
            }
            row.exportTo(image);
            return RowParity.hashBytes(image, 0, n);
        }

        @Override
        public void endCommit(DeltaCommit c) {
            for (int i = 0, from = 0; i < heldRows; from = heldEnds[i++]) {
                file = heldFiles[i];
                add(sink.row().importFrom(held, from));
            }
            heldRows = 0;
            heldBytes = 0;
            pendingDeletes.forEachUnclaimed((arena, offset, length) -> sink.delete(sink.row().setKey(arena, offset)));
            pendingDeletes.clear();
            sink.end();
        }
    }
}
