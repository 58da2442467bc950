package dev.larder.ingest;

import dev.larder.store.RowBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The one byte layout of a change on its way to a table's writer: a ring event carries one record (an application's
 * push) or a batch of records back to back (a bootstrap, a commit, a load: {@link RingSink}), and a staged commit
 * holds them back to back too. Stateless.
 *
 * <pre>
 *  offset 0     1          5                13               21
 *         +-----+----------+----------------+----------------+------------------------------+
 *         | op  | length   | version        | commit time ms | row image (length bytes)     |
 *         +-----+----------+----------------+----------------+------------------------------+
 *           u8    i32 LE     i64 LE           i64 LE           RowBuffer.exportTo format;
 *                                                              empty for END
 * </pre>
 *
 * <p>Ops: {@link #UPSERT} and {@link #DELETE} carry a row (a delete only reads its key columns), {@link #END} ends a
 * version (it becomes the watermark once applied). Every record names its version, so a record is applied without the
 * context of the records before it. All multi-byte fields are little-endian and written
 * with plain stores: a record is handed to another thread only through a ring publication, which orders it.
 */
final class ChangeRecordDescriptor {
    static final byte UPSERT = 2;
    static final byte DELETE = 3;
    static final byte END = 4;

    static final int OP = 0;
    static final int LENGTH = 1;
    static final int VERSION = 5;
    static final int COMMIT_TIMESTAMP = 13;
    /** Header bytes before the row image. */
    static final int HEADER = 21;

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private ChangeRecordDescriptor() {
    }

    /** Bytes of an UPSERT or DELETE record of {@code row}. */
    static int size(RowBuffer row) {
        return HEADER + row.exportSize();
    }

    /** Writes a record at {@code at} ({@code row} null for END); returns the offset after it. */
    static int write(byte[] dst, int at, byte op, long version, long commitTimestampMillis, RowBuffer row) {
        int length = row == null ? 0 : row.exportTo(dst, at + HEADER);
        dst[at + OP] = op;
        INT.set(dst, at + LENGTH, length);
        LONG.set(dst, at + VERSION, version);
        LONG.set(dst, at + COMMIT_TIMESTAMP, commitTimestampMillis);
        return at + HEADER + length;
    }

    static byte op(byte[] b, int at) {
        return b[at + OP];
    }

    static int length(byte[] b, int at) {
        return (int) INT.get(b, at + LENGTH);
    }

    static long version(byte[] b, int at) {
        return (long) LONG.get(b, at + VERSION);
    }

    static long commitTimestamp(byte[] b, int at) {
        return (long) LONG.get(b, at + COMMIT_TIMESTAMP);
    }

    /** Where the row image starts. */
    static int image(int at) {
        return at + HEADER;
    }

    /** Offset of the record after the one at {@code at}. */
    static int next(byte[] b, int at) {
        return at + HEADER + length(b, at);
    }

    /** Bytes of the record at {@code at}, header included. */
    static int recordSize(byte[] b, int at) {
        return HEADER + length(b, at);
    }
}
