package dev.larder.store;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * A single get ({@link TableReader#get(long)}) while row slots pass from one key to another: the writer rewrites two
 * keys per version, swapping their order at every version, so each takes the row the other one left (the writer
 * reuses the rows a published version replaced). A reader that loaded a key's index slot may then copy a row that
 * already belongs to the other key, and later find the slot pointing at that same row again (the slot went from row A
 * to B and back to A meanwhile); it must start over, not take the key for absent.
 *
 * <p>Key {@code 7} always holds a positive value in every column, key {@code 8} a negative one.
 */
@JCStressTest
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "found with a whole row of its own (old or new)")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "not found, though the key is present throughout")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "found with a torn row or the other key's row")
@State
public class RowReuseStress {
    private static final long KEY = 7;
    private static final long OTHER = 8;
    private static final StressTable TABLE = StressTable.create("reuse");
    /** Used by the reader actor only (one thread at a time). */
    private static final TableReader READER = TABLE.table.newReader();
    /** The writer actor's count of versions (one thread at a time). */
    private static long versions;

    static {
        write();
    }

    private static void write() {
        long n = ++versions;
        if ((n & 1) == 0) {
            TABLE.upsert(KEY, n);
            TABLE.upsert(OTHER, -n);
        } else {
            TABLE.upsert(OTHER, -n);
            TABLE.upsert(KEY, n);
        }
        TABLE.publish();
    }

    /** Rewrites both keys in one version, in the order opposite to the last one's, and publishes it. */
    @Actor
    public void writer() {
        write();
    }

    /** Looks the first key up and checks its row: one positive value in every column. */
    @Actor
    public void reader(I_Result r) {
        ReadStatus s = READER.get(KEY);
        r.r1 = s == ReadStatus.FOUND && READER.getLong(1) <= 0 ? StressTable.TORN
                : StressTable.classify(READER, s, KEY, READER.getLong(1));
    }
}
