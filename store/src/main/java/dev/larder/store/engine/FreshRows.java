package dev.larder.store.engine;

import dev.larder.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;

/**
 * Confined to the table's writer thread, beside at most one write-behind thread of its own that only forces rows.dat
 * to disk: bulk-loaded rows for never-used slots (zero in the file, unreachable), queued so that runs of consecutive
 * slots go to rows.dat in one positional write. That fills page-cache pages without a page
 * fault per 4 KiB page, the dominant kernel cost of writing fresh rows through the mapping; the mapping sees the rows
 * (one page cache).
 */
public final class FreshRows {
    private static final int STAGED_BYTES = 1 << 20;
    /**
     * The seqlock value of a written slot: writing takes a fresh slot's word from 0 to 2 (see
     * {@link RowLayoutDescriptor#SEQ}).
     */
    private static final long WRITTEN_SEQ = 2L;

    private final FileChannel rowsChannel;
    private final String tableName;
    private final int rowSize;
    private final long writeBehindBytes;
    private ByteBuffer staged;
    private long first;
    private int rows;
    /** Bytes written since the last write-behind started. */
    private long unsynced;
    /** The write-behind in flight or last run, or null. */
    private CompletableFuture<Void> writeBehind;
    /**
     * The first failure of a write-behind, thrown by every later sync ({@link #awaitWriteBehind}): after a writeback
     * error the kernel marks the pages clean, so a later sync would succeed over rows that never reached the disk.
     */
    private volatile Exception writeBehindFailure;
    private long writeBehinds;

    /** Writes through {@code rowsChannel}, table {@code tableName}'s rows.dat, rows of {@code rowSize} bytes. */
    public FreshRows(FileChannel rowsChannel, String tableName, int rowSize) {
        this(rowsChannel, tableName, rowSize, WRITE_BEHIND_BYTES);
    }

    /** As {@link #FreshRows(FileChannel, String, int)}, starting a write-behind every {@code writeBehindBytes}. */
    FreshRows(FileChannel rowsChannel, String tableName, int rowSize, long writeBehindBytes) {
        this.rowsChannel = rowsChannel;
        this.tableName = tableName;
        this.rowSize = rowSize;
        this.writeBehindBytes = writeBehindBytes;
    }

    /**
     * Queues the row image {@code img} for slot {@code row}, writing the queue first if {@code row} does not extend it.
     */
    public void stage(long row, byte[] img) {
        if (staged == null) {
            staged = ByteBuffer.allocateDirect(Math.max(1, STAGED_BYTES / rowSize) * rowSize)
                    .order(ByteOrder.LITTLE_ENDIAN);
        }
        if (rows > 0 && (row != first + rows || !staged.hasRemaining())) {
            flush();
        }
        if (rows == 0) {
            first = row;
        }
        staged.putLong(WRITTEN_SEQ);
        staged.put(img, RowLayoutDescriptor.SEQ + Long.BYTES, rowSize - Long.BYTES);
        rows++;
    }

    /** Writes the queued rows to rows.dat. */
    public void flush() {
        if (rows == 0) {
            return;
        }
        staged.flip();
        unsynced += staged.remaining();
        try {
            MappedFiles.writeInPages(rowsChannel, staged, first * rowSize);
        } catch (IOException e) {
            throw new StoreException("cannot write rows of table " + tableName + ": " + e.getMessage(), e);
        }
        staged.clear();
        rows = 0;
        if (unsynced >= writeBehindBytes && (writeBehind == null || writeBehind.isDone())) {
            unsynced = 0;
            writeBehinds++;
            writeBehind = CompletableFuture.runAsync(this::forceRows,
                    task -> Thread.ofPlatform().name("larder-write-behind-" + tableName).daemon().start(task));
        }
    }

    private void forceRows() {
        try {
            rowsChannel.force(false);
        } catch (IOException | RuntimeException e) {
            if (writeBehindFailure == null) {
                writeBehindFailure = e;
            }
        }
    }

    /**
     * Rows written before the write-behind starts writing them to disk in the background: a bulk load's rows are
     * otherwise all still dirty at its sync (2.3 GB for 10M rows of the generator's table, under the kernel's 10%
     * background threshold on 24 GB), and that sync alone took 2.5 s of a 13 s cold load.
     */
    static final long WRITE_BEHIND_BYTES = 256L << 20;

    /**
     * Waits for the write-behind in flight, and throws if any write-behind failed, at this and every later call: the
     * failure must reach the table's syncs, since a writeback error is reported once per open file and the
     * write-behind may be the call that saw it.
     */
    public void awaitWriteBehind() {
        if (writeBehind != null) {
            writeBehind.join();
        }
        Exception e = writeBehindFailure;
        if (e != null) {
            throw new StoreException("cannot write rows of table " + tableName + " to disk: " + e.getMessage(), e);
        }
    }

    /** Write-behinds started so far. */
    public long writeBehinds() {
        return writeBehinds;
    }

    /** Drops the queued rows (a rolled-back bulk load: their slots are freed by the free-list rebuild). */
    public void discard() {
        if (staged != null) {
            staged.clear();
        }
        rows = 0;
    }
}
