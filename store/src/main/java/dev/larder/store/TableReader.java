package dev.larder.store;

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
 * {@link ReadStatus#FOUND} or {@link ReadStatus#EXPIRED}.
 *
 * <p>Memory ordering: index slots and the row's seq word are read with acquire loads; the writer fills a slot with
 * release stores only after the row is complete, and brackets every row change with odd/even seq values. After
 * copying, an acquire fence orders the copy before the second seq read; equal even seq values prove the copy whole.
 */
public final class TableReader extends RowImage {
    private static final VarHandle LONG = TableView.LONG;
    private static final VarHandle LOOKUPS;

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
    private final SingleWriterRecorder recorder;
    private final long sampleMask;

    TableReader(FeatureTable table, RowLayoutDescriptor layout, int sampleEvery) {
        super(layout);
        this.table = table;
        this.key = new byte[layout.keyCapacity()];
        this.ttlMillis = table.ttlMillis;
        this.rowSize = layout.rowSize();
        this.recorder = sampleEvery > 0 ? new SingleWriterRecorder(60_000_000_000L, 2) : null;
        this.sampleMask = sampleEvery > 0 ? Long.highestOneBit(Math.max(1, sampleEvery * 2L - 1)) - 1 : 0;
    }

    public FeatureTable table() {
        return table;
    }

    /** Looks up a table whose key is one integral column (int8..int64, date, timestamp). */
    public ReadStatus get(long singleKey) {
        KeyCodec.LONGS.set(key, 0, singleKey);
        return lookup(key, 8, KeyCodec.hash(key, 8));
    }

    /** Looks up any key, composite included; {@code k} must come from a table with the same key schema. */
    public ReadStatus get(Key k) {
        int len = k.encode();
        return lookup(k.encoded, len, k.hash);
    }

    /** Looks up a table whose key is one STRING column, without allocating. */
    public ReadStatus get(CharSequence singleKey) {
        int len = Utf8.encode(singleKey, key, 4, key.length - 4);
        if (len < 0) {
            return ReadStatus.NOT_FOUND;
        }
        KeyCodec.INTS.set(key, 0, len);
        return lookup(key, len + 4, KeyCodec.hash(key, len + 4));
    }

    /** Looks up the key held in the key columns of {@code keyRow} (a row of this table's schema). */
    public ReadStatus get(RowImage keyRow) {
        int len = KeyCodec.encodeFromRow(layout, keyRow.bytes, key);
        return lookup(key, len, KeyCodec.hash(key, len));
    }

    /**
     * Batch lookup of one column for {@code n} single integral keys into a caller's array: {@code out[i]} gets the
     * value as float, or {@code defaultValue} when the key is missing or the value null; {@code status[i]} (may be null)
     * gets the per-key status. Returns how many values were found (FOUND or EXPIRED with a non-null value).
     */
    public int getBatch(long[] keys, int n, int column, float[] out, float defaultValue, ReadStatus[] status) {
        int found = 0;
        for (int i = 0; i < n; i++) {
            ReadStatus s = get(keys[i]);
            if (s != ReadStatus.NOT_FOUND && isNull(column)) {
                s = ReadStatus.NULL;
            }
            if (s == ReadStatus.FOUND || s == ReadStatus.EXPIRED) {
                out[i] = (float) getDouble(column);
                found++;
            } else {
                out[i] = defaultValue;
            }
            if (status != null) {
                status[i] = s;
            }
        }
        return found;
    }

    /** As {@link #getBatch(long[], int, int, float[], float, ReadStatus[])} into a double[]. */
    public int getBatch(long[] keys, int n, int column, double[] out, double defaultValue, ReadStatus[] status) {
        int found = 0;
        for (int i = 0; i < n; i++) {
            ReadStatus s = get(keys[i]);
            if (s != ReadStatus.NOT_FOUND && isNull(column)) {
                s = ReadStatus.NULL;
            }
            if (s == ReadStatus.FOUND || s == ReadStatus.EXPIRED) {
                out[i] = getDouble(column);
                found++;
            } else {
                out[i] = defaultValue;
            }
            if (status != null) {
                status[i] = s;
            }
        }
        return found;
    }

    /**
     * Visits every live row (this reader holds each in turn); for dumps and verification, not serving. Each row is
     * consistent, but rows changed while the scan runs may be seen in either state, missed or seen twice when the
     * writer moves them; scan a quiescent table for an exact snapshot. Returns the rows visited.
     */
    public long forEach(java.util.function.Consumer<TableReader> action) {
        TableView v = table.view();
        long visited = 0;
        for (long pos = 0; pos < v.indexSlots; pos++) {
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

    void drainSamplesInto(Histogram into) {
        if (recorder != null) {
            into.add(recorder.getIntervalHistogram());
        }
    }

    /** Out-of-line values live in the heap; the current view maps at least as much heap as the row we copied needs. */
    @Override
    void readOutOfLine(int column, int slotOffset, int length, byte[] dst, int dstOffset) {
        table.view().readHeap((long) LONGS.get(bytes, slotOffset + 4), dst, dstOffset, length);
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
                if (row < v.rowCapacity) {
                    copyRow(v, row);
                    if ((short) SHORTS.get(bytes, RowLayoutDescriptor.FLAGS) == RowLayoutDescriptor.FLAG_LIVE
                            && (short) SHORTS.get(bytes, RowLayoutDescriptor.KEY_LENGTH) == len
                            && Arrays.equals(bytes, RowLayoutDescriptor.KEY, RowLayoutDescriptor.KEY + len, k, 0, len)) {
                        return ttlMillis > 0 && table.nowMillis() - commitTimestampMillis() > ttlMillis
                                ? ReadStatus.EXPIRED : ReadStatus.FOUND;
                    }
                }
                // The slot changed under us, the row was recycled, or the view is stale: start over on the current
                // view; otherwise this was a genuine fingerprint collision and the probe continues.
                TableView current = table.view();
                if (current != v || v.slotAcquire(pos) != slot) {
                    v = current;
                    pos = v.home(fp);
                    probes = 0;
                    continue;
                }
            }
            pos = (pos + 1) & v.slotMask;
            probes++;
        }
        return ReadStatus.NOT_FOUND;
    }

    private void copyRow(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        for (int spins = 0; ; spins++) {
            long before = (long) LONG.getAcquire(chunk, off);
            if ((before & 1) == 0) {
                chunk.get(off, bytes, 0, rowSize);
                VarHandle.acquireFence();
                if ((long) LONG.getOpaque(chunk, off) == before) {
                    return;
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
