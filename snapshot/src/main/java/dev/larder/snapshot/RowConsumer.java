package dev.larder.snapshot;

/** Receives the rows of a snapshot scan on the scanning thread. */
@FunctionalInterface
public interface RowConsumer {
    /** @param row valid only during this call */
    void accept(DeltaRow row);
}
