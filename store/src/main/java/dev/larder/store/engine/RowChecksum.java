package dev.larder.store.engine;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * One instance per thread ({@link CRC32C} is stateful): the checksum a live row keeps in its
 * {@link RowLayoutDescriptor#CHECKSUM} word: CRC32C over every byte of the slot except the seqlock word and the
 * checksum word itself. Values spilled to heap.dat are not covered (the slot holds their offset and length).
 */
public final class RowChecksum {
    private final CRC32C crc = new CRC32C();
    private final int rowSize;

    public RowChecksum(int rowSize) {
        this.rowSize = rowSize;
    }

    /** The checksum of a row image in a byte array (the writer's staging row or a reader's copy). */
    public int of(byte[] row) {
        crc.reset();
        crc.update(row, RowLayoutDescriptor.VERSION, RowLayoutDescriptor.CHECKSUM - RowLayoutDescriptor.VERSION);
        crc.update(row, RowLayoutDescriptor.CHECKSUM + 4, rowSize - RowLayoutDescriptor.CHECKSUM - 4);
        return (int) crc.getValue();
    }

    /** The checksum of the row slot at {@code off} in a mapped chunk (no concurrent writer: recovery). */
    public int of(ByteBuffer chunk, int off) {
        crc.reset();
        crc.update(chunk.slice(off + RowLayoutDescriptor.VERSION,
                RowLayoutDescriptor.CHECKSUM - RowLayoutDescriptor.VERSION));
        crc.update(chunk.slice(off + RowLayoutDescriptor.CHECKSUM + 4, rowSize - RowLayoutDescriptor.CHECKSUM - 4));
        return (int) crc.getValue();
    }
}
