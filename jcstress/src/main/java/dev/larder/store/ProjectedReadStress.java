package dev.larder.store;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The in-place read of a projected get ({@link TableReader#get(long, Projection, double[], ReadStatus[])}, which reads
 * the row's header, key and the asked columns where they lie, between two reads of its seq word, without copying the
 * row) against the writer rewriting that key; every upsert is published at once, so the next one overwrites the row
 * slot the previous version left while the reader may be reading it.
 *
 * <p>Each row holds its version in its header and in every column; values from two versions are torn.
 */
@JCStressTest
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "a whole row (old or new): its version in header and columns")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "not found, though the key is present throughout")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "a torn read: header and columns from more than one version")
@State
public class ProjectedReadStress {
    private static final long KEY = 42;
    private static final StressTable TABLE = StressTable.create("projected");
    /** Used by the reader actor only (one thread at a time), as are the projection's output arrays. */
    private static final TableReader READER = TABLE.table.newReader();
    private static final Projection FIRST_AND_LAST = Projection.of(TABLE.table.schema(), -1, 1, StressTable.COLUMNS);
    private static final double[] OUT = new double[2];

    static {
        TABLE.upsertVersioned(KEY);
        TABLE.publish();
    }

    /** Rewrites the row with the next version and publishes it. */
    @Actor
    public void writer() {
        TABLE.upsertVersioned(KEY);
        TABLE.publish();
    }

    /** Reads the first and last payload columns in place and checks them against the row's version. */
    @Actor
    public void reader(I_Result r) {
        ReadStatus s = READER.get(KEY, FIRST_AND_LAST, OUT, null);
        long version = READER.projectedVersion();
        r.r1 = s != ReadStatus.FOUND ? StressTable.MISSING
                : OUT[0] == version && OUT[1] == version ? StressTable.WHOLE : StressTable.TORN;
    }
}
