package dev.larder.store;

import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * Index slot publication: the writer inserts a key no reader has seen (one release store of its index slot, after the
 * row is written) while the reader looks that key up. The writer deletes each key again {@link #KEPT} inserts later,
 * so the table stays small, deleted slots turn into tombstones and the index is rebuilt every few dozen inserts.
 *
 * <p>A found key must come with its whole row: every column holds the key.
 */
@JCStressTest
@Outcome(id = "0", expect = Expect.ACCEPTABLE, desc = "not found: not inserted yet, or deleted since")
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "found with its whole row")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "found, but its row is not yet complete (or another key's)")
@State
public class SlotPublicationStress {
    /** Inserts a key stays for before the writer deletes it. */
    static final int KEPT = 16;
    private static final AtomicLong NEXT_KEY = new AtomicLong(1);
    private static final StressTable TABLE = StressTable.create("publication");
    /** Used by the reader actor only (one thread at a time). */
    private static final TableReader READER = TABLE.table.newReader();
    /** The writer actor's keys still in the table, oldest at {@link #inserted} modulo {@link #KEPT}. */
    private static final long[] LIVE = new long[KEPT];
    private static long inserted;

    /** The key of this state: new to the table (jcstress creates the states before the actors run). */
    private final long key = NEXT_KEY.getAndIncrement();

    /** Inserts this state's key (every column = the key), deletes the one inserted {@link #KEPT} earlier, publishes. */
    @Actor
    public void writer() {
        TABLE.upsert(key, key);
        int at = (int) (inserted++ % KEPT);
        if (LIVE[at] != 0) {
            TABLE.delete(LIVE[at]);
        }
        LIVE[at] = key;
        TABLE.publish();
    }

    /** Looks this state's key up. */
    @Actor
    public void reader(I_Result r) {
        r.r1 = StressTable.classify(READER, READER.get(key), key, key);
    }
}
