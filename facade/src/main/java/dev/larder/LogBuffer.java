package dev.larder;

import dev.larder.store.FeatureVectorReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Single producer (the serving thread of one {@link Vector.Filler}), single consumer (the log's drain thread): a ring
 * of served vectors in preallocated primitive arrays. The producer copies a vector in with plain stores and publishes
 * it with one release store; it never allocates, locks or waits: with the ring full the vector is dropped and counted.
 *
 * <p>Record layout, {@link #stride} longs each: request id, serving time (epoch millis), entity key (a single integral
 * one; other keys' encodings are in {@link #keys}, {@link #keyWidth} bytes a record), each feature's
 * value as the bits of a double, each table's row version, then the store's read statuses, eight a long (a byte each,
 * its ordinal): the serving thread makes 3 stores for 20 statuses rather than 20.
 */
final class LogBuffer {
    private static final VarHandle HEAD;
    private static final VarHandle TAIL;
    private static final VarHandle DROPPED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            HEAD = l.findVarHandle(LogBuffer.class, "head", long.class);
            TAIL = l.findVarHandle(LogBuffer.class, "tail", long.class);
            DROPPED = l.findVarHandle(LogBuffer.class, "dropped", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Reads a single integral key back from its 8-byte encoding. */
    static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final int REQUEST_ID = 0;
    static final int SERVED_AT = 1;
    static final int KEY = 2;
    static final int VALUES = 3;

    final int features;
    final int tables;
    /** Where a record's packed statuses start: after its values and versions. */
    final int statusesAt;
    final int stride;
    private final int mask;
    final long[] longs;
    /**
     * Bytes of each record's key encoding ({@link dev.larder.store.Key#copyEncoded}) for a composite or non-integral
     * key; 0 for one integral key, which is kept in the record's {@link #KEY} long.
     */
    final int keyWidth;
    final byte[] keys;
    private final byte[] scratch = new byte[8];
    /** Sampling: a vector is logged when a draw below 2^63 is under this; {@link Long#MAX_VALUE} logs every one. */
    private final long sampleBelow;
    private final boolean sampleAll;
    /** Producer's: the next record's sequence, published by a release store. */
    private long head;
    /** Producer's copy of {@link #tail}, re-read only when the ring looks full. */
    private long tailSeen;
    /** Consumer's: the first record not yet drained, published by a release store. */
    private long tail;
    /** Vectors dropped on a full ring; written by the producer only. */
    private long dropped;
    private long pendingRequestId;
    private boolean hasRequestId;
    /** Generator of request ids (xorshift64*), seeded at random: cheaper than a thread-local lookup per vector. */
    private long idState;

    /** A ring of {@code records} vectors; {@code keyWidth} as {@link #keyWidth}. */
    LogBuffer(int records, int features, int tables, int keyWidth, double sample) {
        int capacity = Integer.highestOneBit(Math.max(1, records - 1)) << (records > 1 ? 1 : 0);
        this.features = features;
        this.tables = tables;
        this.statusesAt = VALUES + features + tables;
        this.stride = statusesAt + (features + 7) / 8;
        this.mask = capacity - 1;
        this.longs = new long[capacity * stride];
        this.keyWidth = keyWidth;
        this.keys = new byte[capacity * keyWidth];
        this.idState = ThreadLocalRandom.current().nextLong() | 1;
        this.sampleAll = sample >= 1;
        this.sampleBelow = (long) (sample * 0x1.0p63);
    }

    int capacity() {
        return mask + 1;
    }

    /** The request id of the next vector logged (instead of a generated one). */
    void requestId(long id) {
        pendingRequestId = id;
        hasRequestId = true;
    }

    /**
     * Claims the next slot for a served vector and stamps its request id and serving time; the caller then writes
     * its {@link #values}, its {@link #key} and {@link #publish}es it.
     *
     * @return where the record starts, or -1 if it is not sampled or the ring is full (then counted)
     */
    int claim() {
        if (!sampleAll && (ThreadLocalRandom.current().nextLong() >>> 1) >= sampleBelow) {
            hasRequestId = false;
            return -1;
        }
        long h = head;
        if (h - tailSeen > mask) {
            tailSeen = (long) TAIL.getAcquire(this);
            if (h - tailSeen > mask) {
                hasRequestId = false;
                DROPPED.setOpaque(this, dropped + 1);
                return -1;
            }
        }
        int at = (int) (h & mask) * stride;
        longs[at + REQUEST_ID] = hasRequestId ? pendingRequestId : nextId();
        hasRequestId = false;
        longs[at + SERVED_AT] = System.currentTimeMillis();
        return at;
    }

    /** A random 63-bit request id. */
    private long nextId() {
        long x = idState;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        idState = x;
        return (x * 0x2545F4914F6CDD1DL) >>> 1;
    }

    /** The values of a vector served into a float[] (each widened to a double, exactly). */
    void values(int at, float[] out) {
        for (int f = 0; f < features; f++) {
            longs[at + VALUES + f] = Double.doubleToRawLongBits(out[f]);
        }
    }

    /** The values of a vector served into a double[]. */
    void values(int at, double[] out) {
        for (int f = 0; f < features; f++) {
            longs[at + VALUES + f] = Double.doubleToRawLongBits(out[f]);
        }
    }

    /** A single integral key. */
    void key(int at, long key) {
        longs[at + KEY] = key;
    }

    /** A key set through a {@link Key}: its encoding, or for a single integral key the value itself. */
    void key(int at, dev.larder.store.Key key) {
        if (keyWidth == 0) {
            key.copyEncoded(scratch, 0);
            longs[at + KEY] = (long) LONG_LE.get(scratch, 0);
        } else {
            key.copyEncoded(keys, (int) (head & mask) * keyWidth);
        }
    }

    /** Publishes a vector over {@link #tables} tables, with each one's row version as the fill read it. */
    void publish(int at, dev.larder.store.ReadStatus[] s, FeatureVectorReader reader) {
        int v = at + VALUES + features;
        for (int t = 0; t < tables; t++) {
            longs[v + t] = reader.version(t);
        }
        publish(at, s);
    }

    /** Publishes a single-table read, with the version of the row it read. */
    void publish(int at, dev.larder.store.ReadStatus[] s, long version) {
        longs[at + VALUES + features] = version;
        publish(at, s);
    }

    private void publish(int at, dev.larder.store.ReadStatus[] s) {
        int w = at + statusesAt;
        long packed = 0;
        for (int f = 0; f < features; f++) {
            packed |= (long) s[f].ordinal() << ((f & 7) << 3);
            if ((f & 7) == 7) {
                longs[w++] = packed;
                packed = 0;
            }
        }
        if ((features & 7) != 0) {
            longs[w] = packed;
        }
        HEAD.setRelease(this, head + 1);
    }

    /** Consumer: the store's status ordinal of feature {@code f} of the record at {@code at}. */
    int status(int at, int f) {
        return (int) (longs[at + statusesAt + (f >>> 3)] >>> ((f & 7) << 3)) & 0xFF;
    }

    /** Consumer: where the encoded key of record {@code seq} starts in {@link #keys}. */
    int keyOffset(long seq) {
        return (int) (seq & mask) * keyWidth;
    }

    /** Vectors logged so far (any thread). */
    long logged() {
        return (long) HEAD.getAcquire(this);
    }

    /** Vectors dropped so far (any thread). */
    long dropped() {
        return (long) DROPPED.getOpaque(this);
    }

    /** Consumer: the sequence of the first record not drained. */
    long tail() {
        return tail;
    }

    /** Consumer: where record {@code seq} starts in {@link #longs}. */
    int offset(long seq) {
        return (int) (seq & mask) * stride;
    }

    /** Consumer: records drained up to {@code seq}, whose slots the producer may now reuse. */
    void release(long seq) {
        tail = seq;
        TAIL.setRelease(this, seq);
    }
}
