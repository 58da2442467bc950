package dev.larder.store;

import dev.larder.store.engine.IndexDescriptor;
import dev.larder.store.engine.KeyCodec;
import dev.larder.store.engine.RowChecksum;
import dev.larder.store.engine.RowLayoutDescriptor;
import dev.larder.store.engine.TableView;
import dev.larder.store.engine.Utf8;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.MappedByteBuffer;
import java.util.Arrays;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * A lookup cursor over one table for ONE thread (create one per reader thread with {@link FeatureTable#newReader()}).
 * Lock-free and allocation-free: a lookup probes the index, copies the row into this reader's private buffer under
 * the row's seqlock, and validates the copy; the typed accessors inherited from {@link RowImage} then read that copy,
 * so a row never appears torn however long the caller takes. Accessors reflect the last lookup that returned
 * {@link ReadStatus#FOUND} or {@link ReadStatus#EXPIRED}. A checked reader ({@link FeatureTable#newCheckedReader()})
 * also verifies each row it returns and throws {@link StoreCorruptedException} for a damaged one.
 *
 * <p>Memory ordering: index slots and the row's seq word are read with acquire loads; the writer fills a slot with
 * release stores only after the row is complete, and brackets every row change with odd/even seq values. After
 * copying, an acquire fence orders the copy before the second seq read; equal even seq values prove the copy whole.
 */
public final class TableReader extends RowImage {
    private static final VarHandle LONG = TableView.LONG;
    private static final VarHandle LOOKUPS;
    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            LOOKUPS = MethodHandles.lookup().findVarHandle(TableReader.class, "lookups", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FeatureTable table;
    private final byte[] key;
    private final long ttlMillis;
    private final int rowSize;
    /** Written only by the owning thread (opaque, so {@link ReadMetrics} can read it from another). */
    private long lookups;
    /** Lookups by {@link ReadStatus#ordinal()}; written only by the owning thread, opaque like {@link #lookups}. */
    private final long[] byStatus = new long[ReadStatus.values().length];
    private final SingleWriterRecorder recorder;
    private final long sampleMask;
    /** Set for {@link FeatureTable#newCheckedReader()}: every row returned is checked against its checksum. */
    private final RowChecksum checksum;
    /** {@link RowLayoutDescriptor#keyOffset()}, read on every probe. */
    private final int keyOffset;
    /** The table's shards when it holds only some (a key of another answers NOT_OWNED); null when it holds all. */
    private final ShardSpec shards;

    TableReader(FeatureTable table, RowLayoutDescriptor layout, int sampleEvery, boolean checked) {
        super(layout);
        this.table = table;
        this.key = new byte[layout.keyCapacity()];
        this.ttlMillis = table.ttlMillis;
        this.rowSize = layout.rowSize();
        this.keyOffset = layout.keyOffset();
        this.shards = table.shardFilter();
        this.recorder = sampleEvery > 0 ? new SingleWriterRecorder(60_000_000_000L, 2) : null;
        this.sampleMask = sampleEvery > 0 ? Long.highestOneBit(Math.max(1, sampleEvery * 2L - 1)) - 1 : 0;
        this.checksum = checked ? new RowChecksum(rowSize) : null;
    }

    /** Whether this reader checks each row it returns ({@link FeatureTable#newCheckedReader()}). */
    public boolean isChecked() {
        return checksum != null;
    }

    public FeatureTable table() {
        return table;
    }

    /** Looks up a table whose key is one integral column (int8..int64, date, timestamp). */
    public ReadStatus get(long singleKey) {
        KeyCodec.LONGS.set(key, 0, singleKey);
        return counted(lookup(key, 8, KeyCodec.hashLong(singleKey)));
    }

    /** Looks up any key, composite included; {@code k} must come from a table with the same key schema. */
    public ReadStatus get(Key k) {
        int len = k.encode();
        return counted(lookup(k.encoded, len, k.hash));
    }

    /** Looks up a table whose key is one STRING column, without allocating. */
    public ReadStatus get(CharSequence singleKey) {
        int len = Utf8.encode(singleKey, key, 4, key.length - 4);
        if (len < 0) {
            return ReadStatus.NOT_FOUND;
        }
        KeyCodec.INTS.set(key, 0, len);
        return counted(lookup(key, len + 4, KeyCodec.hash(key, len + 4)));
    }

    /** Looks up the key held in the key columns of {@code keyRow} (a row of this table's schema). */
    public ReadStatus get(RowImage keyRow) {
        int len = KeyCodec.encodeFromRow(layout, keyRow.bytes, key);
        return counted(lookup(key, len, KeyCodec.hash(key, len)));
    }

    /**
     * Batch lookup of one column for {@code n} single integral keys into a caller's array: {@code out[i]} gets the
     * value as float, or {@code defaultValue} when the key is missing, the row expired or the value null;
     * {@code status[i]} (may be null) gets the per-key status (NULL for a null value). Returns how many values came
     * from rows. Misses overlap as in {@link #getBatch(long[], int, Projection, double[], ReadStatus[])};
     * allocation-free once the reader has seen a batch of this size, this column and this default.
     */
    public int getBatch(long[] keys, int n, int column, float[] out, float defaultValue, ReadStatus[] status) {
        return batch(keys, null, n, single(column, defaultValue), null, out, status, true, 1);
    }

    /** As {@link #getBatch(long[], int, int, float[], float, ReadStatus[])} into a double[]. */
    public int getBatch(long[] keys, int n, int column, double[] out, double defaultValue, ReadStatus[] status) {
        return batch(keys, null, n, single(column, defaultValue), out, null, status, true, 1);
    }

    /**
     * Batch lookup of {@code p}'s columns for {@code n} single integral keys: key {@code i}'s values (or defaults)
     * go to {@code out[i * p.width() + target]}, its row status to {@code status[i]} (may be null). Returns how many
     * keys were FOUND.
     *
     * <p>Memory-level parallelism: the home index slots of all keys are loaded first, then the lines of every
     * candidate row that the projection reads, and only then is each row matched and read in place under its
     * seqlock, so the cache misses of different keys overlap instead of queueing one after another. A key whose home
     * slot does not hold it (a collision, a concurrent change) is looked up by a full probe.
     */
    public int getBatch(long[] keys, int n, Projection p, double[] out, ReadStatus[] status) {
        return batch(keys, null, n, p, out, null, status, false, p.width());
    }

    /** As {@link #getBatch(long[], int, Projection, double[], ReadStatus[])} into a float[]. */
    public int getBatch(long[] keys, int n, Projection p, float[] out, ReadStatus[] status) {
        return batch(keys, null, n, p, null, out, status, false, p.width());
    }

    /** As {@link #getBatch(long[], int, Projection, double[], ReadStatus[])} for any keys, composite included. */
    public int getBatch(Key[] keys, int n, Projection p, double[] out, ReadStatus[] status) {
        return batch(null, keys, n, p, out, null, status, false, p.width());
    }

    /** As {@link #getBatch(Key[], int, Projection, double[], ReadStatus[])} into a float[]. */
    public int getBatch(Key[] keys, int n, Projection p, float[] out, ReadStatus[] status) {
        return batch(null, keys, n, p, null, out, status, false, p.width());
    }

    private Projection single;
    private int singleColumn = -1;
    private double singleDefault;

    private Projection single(int column, double defaultValue) {
        if (single == null || singleColumn != column || Double.compare(singleDefault, defaultValue) != 0) {
            single = Projection.of(schema, defaultValue, column);
            singleColumn = column;
            singleDefault = defaultValue;
        }
        return single;
    }

    /**
     * Reads only {@code p}'s columns of the row of a single integral key: each into {@code out[p.target[i]]}, or that
     * position's default when the row is absent, expired or the value null. {@code columnStatus} (may be null) gets
     * each position's status: FOUND or NULL for a found row, else the row's status. Returns the row's status.
     *
     * <p>The row is not copied: its header, key and the projected words are read in place between two reads of its
     * seq word, so a get of one feature touches the row's first line and that feature's line, not the whole row. The
     * values come from one state of the row (the seqlock proves no change ran while they were read). A checked reader
     * ({@link FeatureTable#newCheckedReader()}) still copies and checks the whole row.
     */
    public ReadStatus get(long singleKey, Projection p, double[] out, ReadStatus[] columnStatus) {
        KeyCodec.LONGS.set(key, 0, singleKey);
        return projected(key, 8, KeyCodec.hashLong(singleKey), p, out, null, columnStatus);
    }

    /** As {@link #get(long, Projection, double[], ReadStatus[])} into a float[]. */
    public ReadStatus get(long singleKey, Projection p, float[] out, ReadStatus[] columnStatus) {
        KeyCodec.LONGS.set(key, 0, singleKey);
        return projected(key, 8, KeyCodec.hashLong(singleKey), p, null, out, columnStatus);
    }

    /** As {@link #get(long, Projection, double[], ReadStatus[])} for any key, composite included. */
    public ReadStatus get(Key k, Projection p, double[] out, ReadStatus[] columnStatus) {
        int len = k.encode();
        return projected(k.encoded, len, k.hash, p, out, null, columnStatus);
    }

    /** As {@link #get(long, Projection, double[], ReadStatus[])} for any key into a float[]. */
    public ReadStatus get(Key k, Projection p, float[] out, ReadStatus[] columnStatus) {
        int len = k.encode();
        return projected(k.encoded, len, k.hash, p, null, out, columnStatus);
    }

    /** Positions of the last projected read that came from the row (neither defaults nor nulls). */
    public int projectedValues() {
        return projectedValues;
    }

    /** Delta version of the row the last projected read found (FOUND or EXPIRED); -1 if it found none. */
    public long projectedVersion() {
        return projectedVersion;
    }

    /** Commit timestamp of the row the last projected read found (FOUND or EXPIRED); 0 if it found none. */
    public long projectedCommitTimestampMillis() {
        return projectedCommitTs;
    }

    /**
     * Loads the home index slot of {@code hash} and returns it: the first step of a lookup, which a caller looking up
     * one key in several tables takes for all of them before {@link #touchRow}, so their misses overlap.
     */
    long homeSlot(long hash) {
        TableView v = table.view();
        return v.slotAcquire(v.home((int) (hash >>> 32)));
    }

    /**
     * Loads the first {@code span} bytes of the row that holds {@code hash}'s key (as far as the index says; the
     * lookup checks), given its {@link #homeSlot}; returns a value derived from the loads, which the caller must
     * consume so they are kept.
     */
    long touchRow(long homeSlot, long hash, int span) {
        TableView v = table.view();
        return touchSpan(v, candidateOf(v, homeSlot, (int) (hash >>> 32)), span);
    }

    /**
     * The slot a lookup of fingerprint {@code fp} will try first, given its home slot: the home slot itself when it is
     * empty or holds {@code fp}, else the first slot past it that does (linear probing), or EMPTY.
     */
    private static long candidateOf(TableView v, long homeSlot, int fp) {
        if (homeSlot != IndexDescriptor.EMPTY
                && (homeSlot == IndexDescriptor.TOMBSTONE || IndexDescriptor.fingerprint(homeSlot) != fp)) {
            return candidate(v, v.home(fp), fp);
        }
        return homeSlot;
    }

    /**
     * Loads the first {@code span} bytes of the row {@code slot} names, one byte a line, and returns their sum (a
     * value the caller must consume so the loads are kept); the slot itself for an empty slot or one beyond the view.
     */
    private static long touchSpan(TableView v, long slot, int span) {
        long row = IndexDescriptor.rowId(slot);
        if (slot == IndexDescriptor.EMPTY || slot == IndexDescriptor.TOMBSTONE || row >= v.rowCapacity) {
            return slot;
        }
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        long touch = 0;
        for (int d = 0; d < span; d += 64) {
            touch += chunk.get(off + d);
        }
        return touch + chunk.get(off + span - 1);
    }

    private int projectedValues;
    /** The seq value of the row {@link #projectRow} last found holding another key. */
    private long mismatchSeq;
    /** Non-null projected values in the row the last projected read found, expired or not. */
    private int rowValues;
    private long projectedVersion = -1;
    private long projectedCommitTs;

    /**
     * The projected read of an encoded key ({@code k[0..len)}, {@link KeyCodec}) and its hash, for callers that looked
     * the same key up in other tables already (a vector) and need not encode or hash it again.
     */
    ReadStatus projected(byte[] k, int len, long hash, Projection p, double[] outD, float[] outF,
                         ReadStatus[] cs) {
        checkSchema(p);
        if (checksum != null) {
            return counted(projectFromCopy(lookup(k, len, hash), p, outD, outF, cs, 0));
        }
        long n = lookups + 1;
        LOOKUPS.setOpaque(this, n);
        if (recorder == null || (n & sampleMask) != 0) {
            return counted(probeInPlace(k, len, hash, p, outD, outF, cs, 0));
        }
        long start = System.nanoTime();
        ReadStatus s = probeInPlace(k, len, hash, p, outD, outF, cs, 0);
        recorder.recordValue(System.nanoTime() - start);
        return counted(s);
    }

    private void checkSchema(Projection p) {
        if (p.schema != schema && !p.schema.equals(schema)) {
            throw new IllegalArgumentException("the projection was made for another schema than table "
                    + table.name() + "'s");
        }
    }

    /** The checked path: the whole row was copied and checked by {@link #lookup}; project from the copy (uncounted). */
    private ReadStatus projectFromCopy(ReadStatus s, Projection p, double[] outD, float[] outF, ReadStatus[] cs,
                                       int base) {
        if (s == ReadStatus.NOT_FOUND || s == ReadStatus.NOT_OWNED) {
            return absent(s, p, outD, outF, cs, base);
        }
        projectedVersion = version();
        projectedCommitTs = commitTimestampMillis();
        boolean found = s == ReadStatus.FOUND;
        int values = 0;
        for (int i = 0; i < p.size; i++) {
            int c = p.columns[i];
            boolean present = c != Projection.MISSING && !isNull(c);
            if (found) {
                put(base + p.target[i], present ? getDouble(c) : p.defaults[i], outD, outF);
                if (cs != null) {
                    cs[p.target[i]] = present ? ReadStatus.FOUND : ReadStatus.NULL;
                }
            }
            values += present ? 1 : 0;
        }
        rowValues = values;
        if (!found) {
            return defaults(s, p, outD, outF, cs, base);
        }
        projectedValues = values;
        return s;
    }

    private static void put(int at, double v, double[] outD, float[] outF) {
        if (outD != null) {
            outD[at] = v;
        } else {
            outF[at] = (float) v;
        }
    }

    private ReadStatus absent(ReadStatus s, Projection p, double[] outD, float[] outF, ReadStatus[] cs, int base) {
        projectedVersion = -1;
        projectedCommitTs = 0;
        return defaults(s, p, outD, outF, cs, base);
    }

    private ReadStatus defaults(ReadStatus s, Projection p, double[] outD, float[] outF, ReadStatus[] cs, int base) {
        for (int i = 0; i < p.size; i++) {
            put(base + p.target[i], p.defaults[i], outD, outF);
            if (cs != null) {
                cs[p.target[i]] = s;
            }
        }
        projectedValues = 0;
        return s;
    }

    /** {@link #probe} without the copy: each candidate row is matched and projected in place. */
    private ReadStatus probeInPlace(byte[] k, int len, long hash, Projection p, double[] outD, float[] outF,
                                   ReadStatus[] cs, int base) {
        if (shards != null && !shards.ownsKey(schema, k)) {
            return absent(ReadStatus.NOT_OWNED, p, outD, outF, cs, base);
        }
        int fp = (int) (hash >>> 32);
        TableView v = table.view();
        long pos = v.home(fp);
        long probes = 0;
        while (probes <= v.indexSlots) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY) {
                return absent(ReadStatus.NOT_FOUND, p, outD, outF, cs, base);
            }
            if (slot != IndexDescriptor.TOMBSTONE && IndexDescriptor.fingerprint(slot) == fp) {
                long row = IndexDescriptor.rowId(slot);
                long seq = -1;
                if (row < v.rowCapacity) {
                    ReadStatus s = projectRow(v.rowChunk(row), v.rowOffset(row), k, len, p, outD, outF, cs, base);
                    if (s != null) {
                        return s;
                    }
                    seq = mismatchSeq;
                }
                if (moved(v, pos, slot, row, seq)) {
                    v = table.view();
                    pos = v.home(fp);
                    probes = 0;
                    continue;
                }
            }
            pos = v.next(pos);
            probes++;
        }
        return absent(ReadStatus.NOT_FOUND, p, outD, outF, cs, base);
    }

    /**
     * Matches the row at {@code off} against the key and reads the projected words, retrying until one read falls
     * between two equal even values of its seq word (acquire load first; an acquire fence orders the reads before the
     * second, opaque, load). Returns null when the row, read whole, holds another key ({@link #mismatchSeq} then
     * holds the seq value that read was validated against).
     */
    private ReadStatus projectRow(MappedByteBuffer chunk, int off, byte[] k, int len, Projection p, double[] outD,
                                  float[] outF, ReadStatus[] cs, int base) {
        for (int spins = 0; ; spins++) {
            long before = (long) LONG.getAcquire(chunk, off);
            if ((before & 1) == 0) {
                boolean match = chunk.getShort(off + RowLayoutDescriptor.FLAGS) == RowLayoutDescriptor.FLAG_LIVE
                        && chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH) == len
                        && keyEquals(chunk, off + keyOffset, k, len);
                long version = chunk.getLong(off + RowLayoutDescriptor.VERSION);
                long commitTs = chunk.getLong(off + RowLayoutDescriptor.COMMIT_TS);
                int values = 0;
                if (match) {
                    for (int i = 0; i < p.size; i++) {
                        byte kind = p.kind[i];
                        boolean present = kind != Projection.KIND_MISSING
                                && (chunk.get(off + p.nullByte[i]) & p.nullMask[i]) == 0;
                        double value = present ? value(chunk, off + p.offset[i], kind, p.scale[i]) : p.defaults[i];
                        put(base + p.target[i], value, outD, outF);
                        if (cs != null) {
                            cs[p.target[i]] = present ? ReadStatus.FOUND : ReadStatus.NULL;
                        }
                        values += present ? 1 : 0;
                    }
                }
                VarHandle.acquireFence();
                if ((long) LONG.getOpaque(chunk, off) == before) {
                    if (!match) {
                        mismatchSeq = before;
                        return null;
                    }
                    projectedVersion = version;
                    projectedCommitTs = commitTs;
                    rowValues = values;
                    if (ttlMillis > 0 && table.nowMillis() - commitTs > ttlMillis) {
                        return defaults(ReadStatus.EXPIRED, p, outD, outF, cs, base);
                    }
                    projectedValues = values;
                    return ReadStatus.FOUND;
                }
            }
            if ((spins & 0x3FF) == 0x3FF) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static double value(MappedByteBuffer chunk, int at, byte kind, double scale) {
        return switch (kind) {
            case Projection.KIND_FLOAT64 -> chunk.getDouble(at);
            case Projection.KIND_FLOAT32 -> chunk.getFloat(at);
            case Projection.KIND_INT64 -> chunk.getLong(at);
            case Projection.KIND_INT32 -> chunk.getInt(at);
            case Projection.KIND_INT16 -> chunk.getShort(at);
            case Projection.KIND_INT8 -> chunk.get(at);
            default -> chunk.getLong(at) / scale;
        };
    }

    /** Whether the {@code len} key bytes stored at {@code at} equal {@code k[0..len)}, eight bytes at a time. */
    private static boolean keyEquals(MappedByteBuffer chunk, int at, byte[] k, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            if (chunk.getLong(at + i) != (long) KeyCodec.LONGS.get(k, i)) {
                return false;
            }
        }
        for (; i < len; i++) {
            if (chunk.get(at + i) != k[i]) {
                return false;
            }
        }
        return true;
    }

    private long[] batchSlot = new long[0];
    private long[] batchHash = new long[0];
    /** Sink for the loads that pull candidate rows into cache, so the JIT cannot drop them as dead. */
    private long batchTouch;

    /** The first slot from {@code pos} on that holds fingerprint {@code fp}, or EMPTY if the probe ends first. */
    private static long candidate(TableView v, long pos, int fp) {
        for (long probes = 0; probes <= v.indexSlots; probes++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY
                    || slot != IndexDescriptor.TOMBSTONE && IndexDescriptor.fingerprint(slot) == fp) {
                return slot;
            }
            pos = v.next(pos);
        }
        return IndexDescriptor.EMPTY;
    }

    /**
     * The batch in three passes (see {@link #getBatch(long[], int, Projection, double[], ReadStatus[])}); exactly
     * one of {@code longKeys} and {@code keyObjects} is set; key {@code i}'s values start at {@code i * stride}. With
     * {@code nullStatus} (one column), a found row whose value is null reports NULL.
     */
    int batch(long[] longKeys, Key[] keyObjects, int n, Projection p, double[] outD, float[] outF,
              ReadStatus[] status, boolean nullStatus, int stride) {
        checkSchema(p);
        if (batchSlot.length < n) {
            batchSlot = new long[n];
            batchHash = new long[n];
        }
        TableView v = table.view();
        for (int i = 0; i < n; i++) {
            long h;
            if (longKeys != null) {
                h = KeyCodec.hashLong(longKeys[i]);
            } else {
                keyObjects[i].encode();
                h = keyObjects[i].hash;
            }
            batchHash[i] = h;
            batchSlot[i] = v.slotAcquire(v.home((int) (h >>> 32)));
        }
        // A key often sits past its home slot (linear probing): find its candidate now that the home lines are in
        // cache, so the rows touched next are the keys' own, not their home slots' occupants.
        for (int i = 0; i < n; i++) {
            batchSlot[i] = candidateOf(v, batchSlot[i], (int) (batchHash[i] >>> 32));
        }
        long touch = 0;
        for (int i = 0; i < n; i++) {
            touch += touchSpan(v, batchSlot[i], p.span);
        }
        batchTouch = touch;
        int found = 0;
        for (int i = 0; i < n; i++) {
            byte[] k;
            int len;
            if (longKeys != null) {
                KeyCodec.LONGS.set(key, 0, longKeys[i]);
                k = key;
                len = 8;
            } else {
                k = keyObjects[i].encoded;
                len = keyObjects[i].encodedLength;
            }
            long h = batchHash[i];
            int base = i * stride;
            ReadStatus s;
            if (checksum != null) {
                s = projectFromCopy(lookup(k, len, h), p, outD, outF, null, base);
            } else {
                LOOKUPS.setOpaque(this, lookups + 1);
                long slot = batchSlot[i];
                long row = IndexDescriptor.rowId(slot);
                s = null;
                if (shards != null && !shards.ownsKey(schema, k)) {
                    s = absent(ReadStatus.NOT_OWNED, p, outD, outF, null, base);
                } else if (slot == IndexDescriptor.EMPTY) {
                    s = absent(ReadStatus.NOT_FOUND, p, outD, outF, null, base);
                } else if (slot != IndexDescriptor.TOMBSTONE && IndexDescriptor.fingerprint(slot) == (int) (h >>> 32)
                        && row < v.rowCapacity) {
                    s = projectRow(v.rowChunk(row), v.rowOffset(row), k, len, p, outD, outF, null, base);
                }
                if (s == null) {
                    s = probeInPlace(k, len, h, p, outD, outF, null, base);
                }
            }
            if (nullStatus && (s == ReadStatus.FOUND || s == ReadStatus.EXPIRED) && rowValues == 0) {
                s = ReadStatus.NULL;
            }
            counted(s);
            if (status != null) {
                status[i] = s;
            }
            found += s == ReadStatus.FOUND ? 1 : 0;
        }
        return found;
    }

    /**
     * Visits every live row (this reader holds each in turn); for dumps and verification, not serving. Each row is
     * consistent, but rows changed while the scan runs may be seen in either state, missed or seen twice when the
     * writer moves them; scan a quiescent table for an exact snapshot. Returns the rows visited. On a read-only table
     * the scan covers the files as mapped: run it in {@link FeatureTable#readConsistently} beside a writer.
     */
    public long forEach(java.util.function.Consumer<TableReader> action) {
        return visitLive(Long.MAX_VALUE, true, action);
    }

    /**
     * Total bytes of the values of up to {@code limit} live rows, visited in index order (hash order, so a uniform
     * sample), and how many rows that was: {@code {bytes, rows}}. A value counts at its width, a string or binary at
     * its length, a null as nothing ({@link MemoryUse#payloadPerRow()}). Rows are read as {@link #forEach} reads them.
     */
    long[] samplePayload(long limit) {
        FeatureSchema schema = table.schema();
        long[] bytesSeen = {0};
        long rows = visitLive(limit, false, r -> {
            for (int c = 0; c < schema.columnCount(); c++) {
                if (!r.isNull(c)) {
                    bytesSeen[0] += schema.type(c).isVariableWidth() ? r.getLength(c) : schema.column(c).width();
                }
            }
        });
        return new long[] {bytesSeen[0], rows};
    }

    /** Holds each of up to {@code limit} live rows in index order for {@code action}; checks its checksum if asked. */
    private long visitLive(long limit, boolean checked, java.util.function.Consumer<TableReader> action) {
        TableView v = table.view();
        long visited = 0;
        for (long pos = 0; pos < v.indexSlots && visited < limit; pos++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY || slot == IndexDescriptor.TOMBSTONE) {
                continue;
            }
            long row = IndexDescriptor.rowId(slot);
            if (row >= v.rowCapacity) {
                continue;
            }
            copyRow(v, row);
            if ((short) SHORTS.get(bytes, RowLayoutDescriptor.FLAGS) == RowLayoutDescriptor.FLAG_LIVE) {
                if (checked && checksum != null) {
                    checkRow(row);
                }
                action.accept(this);
                visited++;
            }
        }
        return visited;
    }

    /** Lookups done by this reader. */
    public long lookups() {
        return lookups;
    }

    long lookupsOpaque() {
        return (long) LOOKUPS.getOpaque(this);
    }

    /** Lookups done by this reader that returned {@code status} (a batch counts each key). */
    public long lookups(ReadStatus status) {
        return (long) COUNT.getOpaque(byStatus, status.ordinal());
    }

    /** Counts a lookup's final status: one opaque store (a plain store on x86) into this reader's own array. */
    private ReadStatus counted(ReadStatus s) {
        int i = s.ordinal();
        COUNT.setOpaque(byStatus, i, byStatus[i] + 1);
        return s;
    }

    void drainSamplesInto(Histogram into) {
        if (recorder != null) {
            into.add(recorder.getIntervalHistogram());
        }
    }

    /**
     * Out-of-line values live in the heap. A writer publishes a view mapping a grown heap before any row refers to it,
     * so its readers' current view covers the row copied; a read-only table's mapping may not (its writer runs in
     * another process), and a value beyond it is that race, not damage.
     */
    @Override
    void readOutOfLine(int column, int slotOffset, int length, byte[] dst, int dstOffset) {
        long offset = (long) LONGS.get(bytes, slotOffset + RowLayoutDescriptor.LENGTH_PREFIX);
        try {
            table.view().readHeap(offset, dst, dstOffset, length);
        } catch (IndexOutOfBoundsException e) {
            if (table.isReadOnly()) {
                throw table.heapBeyondMapping(offset, length, e);
            }
            throw e;
        }
    }

    private ReadStatus lookup(byte[] k, int len, long hash) {
        long n = lookups + 1;
        LOOKUPS.setOpaque(this, n);
        if (recorder == null || (n & sampleMask) != 0) {
            return probe(k, len, hash);
        }
        long start = System.nanoTime();
        ReadStatus s = probe(k, len, hash);
        recorder.recordValue(System.nanoTime() - start);
        return s;
    }

    private ReadStatus probe(byte[] k, int len, long hash) {
        if (shards != null && !shards.ownsKey(schema, k)) {
            return ReadStatus.NOT_OWNED;
        }
        int fp = (int) (hash >>> 32);
        TableView v = table.view();
        long pos = v.home(fp);
        long probes = 0;
        while (probes <= v.indexSlots) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY) {
                return ReadStatus.NOT_FOUND;
            }
            if (slot != IndexDescriptor.TOMBSTONE && IndexDescriptor.fingerprint(slot) == fp) {
                long row = IndexDescriptor.rowId(slot);
                long seq = -1;
                if (row < v.rowCapacity) {
                    seq = copyRow(v, row);
                    if ((short) SHORTS.get(bytes, RowLayoutDescriptor.FLAGS) == RowLayoutDescriptor.FLAG_LIVE
                            && (short) SHORTS.get(bytes, RowLayoutDescriptor.KEY_LENGTH) == len
                            && Arrays.equals(bytes, keyOffset, keyOffset + len, k, 0, len)) {
                        if (checksum != null) {
                            checkRow(row);
                        }
                        return ttlMillis > 0 && table.nowMillis() - commitTimestampMillis() > ttlMillis
                                ? ReadStatus.EXPIRED : ReadStatus.FOUND;
                    }
                }
                if (moved(v, pos, slot, row, seq)) {
                    v = table.view();
                    pos = v.home(fp);
                    probes = 0;
                    continue;
                }
            }
            pos = v.next(pos);
            probes++;
        }
        return ReadStatus.NOT_FOUND;
    }

    /** Throws, naming rows.dat, the key and the row, unless this reader's copy of the row matches its checksum. */
    private void checkRow(long row) {
        if (checksum.of(bytes) != (int) INTS.get(bytes, RowLayoutDescriptor.CHECKSUM)) {
            throw new StoreCorruptedException(table.directory().resolve(RowLayoutDescriptor.FILE), "the row of "
                    + describeDamaged(row) + " of table " + table.name()
                    + " fails its checksum (the file changed outside Larder)");
        }
    }

    /**
     * Whether a probe that found another key in the row a slot names must start over on the current view: the view is
     * stale, the slot changed, or the row was rewritten since the read validated against {@code seq} (-1: not read).
     * Otherwise it was a genuine fingerprint collision and the probe goes on. The slot alone cannot tell: it may have
     * left the row and come back to it (the row reused for another key, then for this one again) between two reads of
     * it, which rewrote the row, so its seq word moved.
     */
    private boolean moved(TableView v, long pos, long slot, long row, long seq) {
        return table.view() != v || v.slotAcquire(pos) != slot || seq >= 0 && rowSeq(v, row) != seq;
    }

    /** The row's seq word (acquire), to tell whether the row changed since a read validated against it. */
    private static long rowSeq(TableView v, long row) {
        return (long) LONG.getAcquire(v.rowChunk(row), v.rowOffset(row));
    }

    /** Copies the row under its seqlock; returns the (even) seq value the copy was validated against. */
    private long copyRow(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        for (int spins = 0; ; spins++) {
            long before = (long) LONG.getAcquire(chunk, off);
            if ((before & 1) == 0) {
                chunk.get(off, bytes, 0, rowSize);
                VarHandle.acquireFence();
                if ((long) LONG.getOpaque(chunk, off) == before) {
                    return before;
                }
            }
            if ((spins & 0x3FF) == 0x3FF) {
                Thread.yield();
            } else {
                Thread.onSpinWait();
            }
        }
    }
}
