package dev.larder.store;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The batch path's direct read ({@link TableReader#getBatch(long[], int, int, double[], double, ReadStatus[])}, which
 * reads header, key and one column between two reads of the seq word instead of copying the row) against a writer
 * that rewrites two keys and swaps which of them goes first at every version, so that row slots pass from one key to
 * the other while the reader reads them.
 *
 * <p>Key {@code 7} always holds a positive value, key {@code 8} a negative one: a value of the wrong sign came from
 * the other key's row (a recycled slot), zero from a row not yet written.
 */
@JCStressTest
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "both found, each with a value of its own row (old or new)")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "a key not found, though both are present throughout")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "a value of the other key's row or of an incomplete row")
@State
public class BatchReadStress {
    private static final long[] KEYS = {7, 8};
    private static final StressTable TABLE = StressTable.create("batch");
    /** The reader actor's reader and buffers (one thread at a time). */
    private static final TableReader READER = TABLE.table.newReader();
    private static final double[] VALUES = new double[KEYS.length];
    private static final ReadStatus[] STATUS = new ReadStatus[KEYS.length];
    /** The writer actor's count of versions (one thread at a time). */
    private static long versions;

    static {
        write();
    }

    private static void write() {
        long n = ++versions;
        int first = (int) (n & 1);
        TABLE.upsert(KEYS[first], first == 0 ? n : -n);
        TABLE.upsert(KEYS[1 - first], first == 0 ? -n : n);
        TABLE.publish();
    }

    /** Rewrites both keys in one version, in the order opposite to the last one's, and publishes it. */
    @Actor
    public void writer() {
        write();
    }

    /** Reads the last column of both keys in one batch. */
    @Actor
    public void reader(I_Result r) {
        READER.getBatch(KEYS, KEYS.length, StressTable.COLUMNS, VALUES, 0, STATUS);
        if (STATUS[0] != ReadStatus.FOUND || STATUS[1] != ReadStatus.FOUND) {
            r.r1 = StressTable.MISSING;
        } else {
            r.r1 = VALUES[0] > 0 && VALUES[1] < 0 ? StressTable.WHOLE : StressTable.TORN;
        }
    }
}
