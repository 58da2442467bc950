package dev.larder.store;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Expect;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.I_Result;

/**
 * The seqlock read of a single get ({@link TableReader#get(long)}, which copies the row between two reads of its seq
 * word) against the writer rewriting that key: every upsert is published at once, so the next one overwrites the row
 * slot the previous version left (the retired row) while the reader may be copying it.
 *
 * <p>Each row holds its version in its header and in every column; a copy with two values is torn.
 */
@JCStressTest
@Outcome(id = "1", expect = Expect.ACCEPTABLE, desc = "a whole row (old or new): its version in header and columns")
@Outcome(id = "0", expect = Expect.FORBIDDEN, desc = "not found, though the key is present throughout")
@Outcome(id = "2", expect = Expect.FORBIDDEN, desc = "a torn row: header and columns from more than one version")
@State
public class SeqlockReadStress {
    private static final long KEY = 42;
    private static final StressTable TABLE = StressTable.create("seqlock");
    /** Used by the reader actor only (one thread at a time). */
    private static final TableReader READER = TABLE.table.newReader();

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

    /** Looks the key up and checks the copy against the version in its header. */
    @Actor
    public void reader(I_Result r) {
        ReadStatus s = READER.get(KEY);
        r.r1 = StressTable.classify(READER, s, KEY, READER.version());
    }
}
