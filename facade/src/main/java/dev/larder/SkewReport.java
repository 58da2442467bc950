package dev.larder;

import java.util.List;

/**
 * Immutable: what a skew check of a served-feature log found ({@link Vector#checkLog}; {@code larder skew-check}
 * prints the same): every logged value recomputed from the source Delta table at the version it was served from.
 *
 * @param vectors      logged vectors checked
 * @param values       feature values checked
 * @param equal        values equal to the lakehouse's
 * @param different    values that differ: skew
 * @param unreadable   values whose version could not be read (history vacuumed, table gone or replaced): not
 *                     failures
 * @param unsourced    values not checkable: of tables the application pushes (no Delta source), or served as
 *                     another shard's key
 * @param differences  the first differences, one line each (request id, key, table, column, served value,
 *                     lakehouse value, version)
 * @param notes        why values were unreadable, then the caveats of the check's rules
 * @param versionsRead distinct (source, version) snapshots read
 */
public record SkewReport(long vectors, long values, long equal, long different, long unreadable, long unsourced,
                         List<String> differences, List<String> notes, long versionsRead) {
    /** Immutable copies of the lists. */
    public SkewReport {
        differences = List.copyOf(differences);
        notes = List.copyOf(notes);
    }

    /** True when no value differs. */
    public boolean clean() {
        return different == 0;
    }
}
