package dev.larder;

import java.util.List;

/**
 * Immutable: a table compared with its Delta table at the table's watermark, row by row and value by value, and its
 * rows checked against their checksums; from {@link Larder#verify}.
 *
 * @param equal            whether the table holds exactly the Delta table's rows and values at the version (its
 *                         checksums aside)
 * @param source           the Delta table compared with (credentials masked)
 * @param version          the Delta version compared (the table's watermark)
 * @param deltaRows        rows of the Delta table at that version
 * @param tableRows        rows of the table
 * @param missingFromTable Delta rows whose key the table does not hold
 * @param missingFromDelta table rows whose key no Delta row has
 * @param differing        rows held by both whose values differ in at least one column
 * @param differences      up to the maximum asked for of lines, each naming a row by its values (and the columns
 *                         that differ)
 * @param checkedRows      live rows checked against their checksums
 * @param damagedRows      rows whose contents do not match their checksum: the files changed outside Larder
 * @param damageSamples    a few damaged rows described by key and version
 */
public record Verification(boolean equal, String source, long version, long deltaRows, long tableRows,
                           long missingFromTable, long missingFromDelta, long differing, List<String> differences,
                           long checkedRows, long damagedRows, List<String> damageSamples) {
}
