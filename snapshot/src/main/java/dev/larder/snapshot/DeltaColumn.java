package dev.larder.snapshot;

/**
 * One top-level column of a Delta table, by logical name (column mapping already resolved); immutable.
 *
 * @param partition true if the value comes from the file's partition values rather than the file
 */
public record DeltaColumn(String name, DeltaType type, boolean nullable, boolean partition) {
}
