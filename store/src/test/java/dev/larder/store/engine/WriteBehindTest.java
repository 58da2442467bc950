package dev.larder.store.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.store.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FreshRows}' write-behind: rows staged by a bulk load are forced to disk in the background every so many bytes,
 * land where they were staged, and a failure of a background force reaches every later sync of the table.
 */
class WriteBehindTest {
    private static final int ROW = 64;

    @TempDir
    Path dir;

    private static byte[] row(long id) {
        byte[] img = new byte[ROW];
        for (int i = 8; i < ROW; i++) {
            img[i] = (byte) (id * 31 + i);
        }
        return img;
    }

    /** Stages {@code rows} consecutive rows through a 1 MiB queue and flushes. */
    private static void load(FreshRows fresh, int rows) {
        for (int r = 0; r < rows; r++) {
            fresh.stage(r, row(r));
        }
        fresh.flush();
    }

    @Test
    void rowsGoToDiskBehindTheLoadAndLandWhereStaged() throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("rows.dat"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FreshRows fresh = new FreshRows(ch, "t", ROW, 2 << 20);
            load(fresh, 100_000);
            fresh.awaitWriteBehind();
            assertTrue(fresh.writeBehinds() >= 2, "6.4 MB staged, a write-behind every 2 MB at most one at a time: "
                    + fresh.writeBehinds());
            byte[] file = Files.readAllBytes(dir.resolve("rows.dat"));
            assertEquals(100_000L * ROW, file.length);
            for (int r : new int[] {0, 1, 32_767, 99_999}) {
                byte[] expected = row(r);
                expected[0] = 2;
                byte[] stored = java.util.Arrays.copyOfRange(file, r * ROW, (r + 1) * ROW);
                assertArrayEquals(expected, stored, "row " + r);
            }
        }
    }

    @Test
    void aFailedWriteBehindFailsEveryLaterSync() throws IOException {
        try (FileChannel real = FileChannel.open(dir.resolve("rows.dat"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FreshRows fresh = new FreshRows(new ForceFails(real), "features", ROW, 1 << 20);
            load(fresh, 40_000);
            StoreException e = assertThrows(StoreException.class, fresh::awaitWriteBehind);
            assertTrue(e.getMessage().contains("table features") && e.getMessage().contains("no space left (test)"),
                    e.getMessage());
            assertThrows(StoreException.class, fresh::awaitWriteBehind, "every later sync fails too: the kernel "
                    + "marked the pages clean, so a sync that succeeded would claim rows the disk never got");
        }
    }

    /** A rows file whose every force fails, as a writeback error reports. */
    private static final class ForceFails extends FileChannel {
        private final FileChannel in;

        ForceFails(FileChannel in) {
            this.in = in;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            throw new IOException("no space left (test)");
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return in.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return in.read(dsts, offset, length);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return in.write(src);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            return in.write(srcs, offset, length);
        }

        @Override
        public long position() throws IOException {
            return in.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            in.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return in.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            in.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return in.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            return in.transferFrom(src, position, count);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return in.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return in.write(src, position);
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            return in.map(mode, position, size);
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return in.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return in.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            in.close();
        }
    }
}
