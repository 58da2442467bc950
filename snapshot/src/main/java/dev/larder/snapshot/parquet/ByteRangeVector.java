package dev.larder.snapshot.parquet;

import io.delta.kernel.data.ColumnVector;

/**
 * A column vector whose string and binary values are byte ranges of one array, so a value can be copied without
 * materialising a {@code String} or {@code byte[]} for it; same thread and lifetime as the vector.
 */
public interface ByteRangeVector extends ColumnVector {
    /** The bytes holding the values of the current batch: valid until the vector is refilled. */
    byte[] data();

    /** Where the value of {@code row} (not null) starts in {@link #data()}. */
    int start(int row);

    /** How many bytes the value of {@code row} (not null) has. */
    int length(int row);
}
