package dev.larder.store;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Index generation swaps: a key present throughout is looked up while the writer churns other keys (insert one,
 * delete the one inserted {@link #KEPT} earlier), so tombstones fill the index and the writer rebuilds it into a new
 * generation ({@code index-N.dat}) every few dozen inserts and publishes a {@link TableView} that maps it. A reader
 * still probing the old generation must find the key there; one that starts on the new view must find it there.
 *
 * <p>The second result tells whether the table's view changed to another index generation during the lookup
 * (counted, so a run shows that lookups did overlap swaps).
 */
@JCStressTest
@Outcome(id = "1, 0", expect = Expect.ACCEPTABLE, desc = "found with its whole row")
@Outcome(id = "1, 1", expect = Expect.ACCEPTABLE, desc = "found with its whole row while the index was swapped")
@Outcome(id = "0, [01]", expect = Expect.FORBIDDEN, desc = "not found, though the key is present throughout")
@Outcome(id = "2, [01]", expect = Expect.FORBIDDEN, desc = "found with a torn row")
@State
public class IndexSwapStress {
    /** Inserts a churned key stays for before the writer deletes it. */
    static final int KEPT = 16;
    private static final long KEY = -1;
    private static final long PAYLOAD = 1234567;
    private static final StressTable TABLE = StressTable.create("swap");
    /** Used by the reader actor only (one thread at a time). */
    private static final TableReader READER = TABLE.table.newReader();
    /** The writer actor's churned keys (one thread at a time). */
    private static final long[] LIVE = new long[KEPT];
    private static long inserted;

    static {
        TABLE.upsert(KEY, PAYLOAD);
        TABLE.publish();
    }

    /** Inserts a new key, deletes the one inserted {@link #KEPT} earlier, publishes. */
    @Actor
    public void writer() {
        long k = ++inserted;
        TABLE.upsert(k, k);
        int at = (int) (k % KEPT);
        if (LIVE[at] != 0) {
            TABLE.delete(LIVE[at]);
        }
        LIVE[at] = k;
        TABLE.publish();
    }

    /** Looks the permanent key up, noting whether the index generation changed meanwhile. */
    @Actor
    public void reader(II_Result r) {
        long generation = TABLE.table.view().indexGeneration;
        ReadStatus s = READER.get(KEY);
        r.r1 = StressTable.classify(READER, s, KEY, PAYLOAD);
        r.r2 = TABLE.table.view().indexGeneration != generation ? 1 : 0;
    }
}
