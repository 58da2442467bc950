package dev.larder;

import dev.larder.store.FeatureVectorReader;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Single producer (the serving thread of one {@link Vector.Filler}), single consumer (the log's drain thread): a ring
 * of served vectors in preallocated primitive arrays. The producer copies a vector in with plain stores and publishes
 * it with one release store; it never allocates, locks or waits: with the ring full the vector is dropped and counted.
 *
 * <p>Record layout, {@link #stride} longs each: request id, serving time (epoch millis), entity key, each feature's
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

    LogBuffer(int records, int features, int tables, double sample) {
        int capacity = Integer.highestOneBit(Math.max(1, records - 1)) << (records > 1 ? 1 : 0);
        this.features = features;
        this.tables = tables;
        this.statusesAt = VALUES + features + tables;
        this.stride = statusesAt + (features + 7) / 8;
        this.mask = capacity - 1;
        this.longs = new long[capacity * stride];
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

    /** Claims the next slot for a served vector, or -1 if it is not sampled or the ring is full (then counted). */
    private int claim() {
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

    private void publish(int at, long key, dev.larder.store.ReadStatus[] s, FeatureVectorReader reader) {
        int v = at + VALUES + features;
        for (int t = 0; t < tables; t++) {
            longs[v + t] = reader.version(t);
        }
        longs[at + KEY] = key;
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

    /** Logs a vector served into a float[] (each value widened to a double, exactly). */
    void log(long key, float[] out, dev.larder.store.ReadStatus[] s, FeatureVectorReader reader) {
        int at = claim();
        if (at < 0) {
            return;
        }
        for (int f = 0; f < features; f++) {
            longs[at + VALUES + f] = Double.doubleToRawLongBits(out[f]);
        }
        publish(at, key, s, reader);
    }

    /** Logs a vector served into a double[]. */
    void log(long key, double[] out, dev.larder.store.ReadStatus[] s, FeatureVectorReader reader) {
        int at = claim();
        if (at < 0) {
            return;
        }
        for (int f = 0; f < features; f++) {
            longs[at + VALUES + f] = Double.doubleToRawLongBits(out[f]);
        }
        publish(at, key, s, reader);
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
