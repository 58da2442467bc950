package dev.larder.kafka;

import dev.larder.store.RowBuffer;

/**
 * Decodes a Kafka record's key and value into a table row; confined to the thread that uses it (implementations keep
 * scratch state). Failures throw {@link IllegalArgumentException} saying what and where in the value, which the
 * source turns into its partition's stop naming topic, partition and offset.
 */
interface RowDecoder {
    /** Sets the key column of {@code row} from a record key. */
    void key(byte[] key, RowBuffer row);

    /** Fills {@code row} (already holding the key) from a record value. */
    void value(byte[] value, RowBuffer row);
}
