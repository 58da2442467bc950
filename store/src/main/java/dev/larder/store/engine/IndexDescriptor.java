package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import dev.larder.store.FeatureTable;

/**
 * Thread-safe (constants and static functions): layout of {@code index-N.dat}: an open-addressing hash table with
 * linear probing, one 8-byte slot per entry, written only by the writer with release stores and read by readers with
 * acquire loads (a slot is one atomic word, so it is never seen half-written).
 *
 * <pre>
 *  slot (int64, little-endian):
 *  +--------------------------------+--------------------------------+
 *  | bits 63..32: fingerprint       | bits 31..0: row id + 1         |
 *  | (high 32 bits of the key hash) | (0 never occurs in a used slot)|
 *  +--------------------------------+--------------------------------+
 *  0                  = empty (ends a probe)
 *  -1 (all ones)      = tombstone (deleted; probes continue past it)
 *
 *  home slot = (unsigned fingerprint * slots) >>> 32; probe = home, home+1, ... (mod slots); any slot count
 *  (a power of two, as older stores always have, makes it the fingerprint's top bits)
 *  the file is split into mappings of {@link #SLOTS_PER_CHUNK} slots (1 GiB) because a ByteBuffer holds at most 2 GiB
 * </pre>
 *
 * The index is rebuilt into generation N+1 (new file, then an atomic switch in {@link StateDescriptor}) when live plus
 * tombstone slots pass {@link #MAX_LOAD_PERCENT}% of the slots, at twice the live rows; a bulk load sizes it at
 * {@link #BULK_LOAD_PERCENT}% full.
 */
public final class IndexDescriptor {
    /** Bytes of one index slot (an entry: fingerprint and row id). */
    static final int SLOT_BYTES = Long.BYTES;
    public static final long EMPTY = 0L;
    public static final long TOMBSTONE = -1L;
    static final int CHUNK_SHIFT = 27;
    static final long SLOTS_PER_CHUNK = 1L << CHUNK_SHIFT;
    public static final long MIN_SLOTS = 16;
    /** At most 2^32 slots, so the home slot's multiply-shift ({@link TableView#home}) cannot overflow 64 bits. */
    public static final long MAX_SLOTS = 1L << 32;
    public static final int MAX_LOAD_PERCENT = 75;
    /** How full a bulk load leaves its index ({@link #bulkIndexSlotsFor}). */
    public static final int BULK_LOAD_PERCENT = 70;
    /** Row ids are stored as id + 1 in 32 bits and must not collide with the tombstone. */
    public static final long MAX_ROWS = 0xFFFF_FFFDL;

    private IndexDescriptor() {
    }

    /** Slots for an index that will keep growing: half full, so it takes half the inserts to reach a rebuild. */
    public static long indexSlotsFor(long rows) {
        return Math.min(MAX_SLOTS, Math.max(MIN_SLOTS, rows * 2));
    }

    /**
     * Slots for the index of a finished bulk load, whose row count is known: {@link #BULK_LOAD_PERCENT}
     * full, where linear probing still finds most keys in their home cache line, and the index costs 11.4 bytes a row
     * rather than the 16 to 32 a power-of-two size did.
     */
    public static long bulkIndexSlotsFor(long rows) {
        return Math.min(MAX_SLOTS, Math.max(MIN_SLOTS,
                Math.ceilDiv(rows * 100, BULK_LOAD_PERCENT)));
    }

    public static long entry(int fingerprint, long rowId) {
        return ((long) fingerprint << 32) | (rowId + 1);
    }

    public static int fingerprint(long slot) {
        return (int) (slot >>> 32);
    }

    public static long rowId(long slot) {
        return (slot & 0xFFFF_FFFFL) - 1;
    }

    /**
     * Checks that {@code indexFile}, of {@code fileSize} bytes, holds exactly the {@code slots} slots state.dat names.
     *
     * @throws StoreCorruptedException naming the file, its size and the size expected otherwise
     */
    public static void checkIndexFile(Path indexFile, long fileSize, long slots) {
        if (fileSize != slots * SLOT_BYTES) {
            throw new StoreCorruptedException(indexFile, "size " + fileSize + " bytes, expected " + slots * SLOT_BYTES);
        }
    }

    /**
     * The checksum a clean close records in state.dat ({@link StateDescriptor#INDEX_CRC}): CRC32C of every slot of the
     * index mapped at {@code chunks}. Writer thread, or opening.
     */
    public static int checksum(MappedByteBuffer[] chunks) {
        CRC32C crc = new CRC32C();
        for (MappedByteBuffer c : chunks) {
            crc.update(c.duplicate().clear());
        }
        return (int) crc.getValue();
    }

    /**
     * Checks the {@link #checksum} of {@code indexFile} as mapped now, {@code actual}, against the one a clean close
     * recorded, {@code recorded}.
     *
     * @throws StoreCorruptedException naming the file when it changed after the table was closed
     */
    public static void checkChecksum(Path indexFile, int actual, int recorded) {
        if (actual != recorded) {
            throw new StoreCorruptedException(indexFile,
                    "checksum mismatch: the file changed after the table was closed");
        }
    }

    /** An index file's name: one file per generation of the index, the live one named in state.dat. */
    public static String fileName(long generation) {
        return FILE_PREFIX + generation + FILE_SUFFIX;
    }

    public static final String FILE_PREFIX = "index-";
    public static final String FILE_SUFFIX = ".dat";
    /** Every index file, as a {@link java.nio.file.DirectoryStream} glob. */
    public static final String FILE_GLOB = FILE_PREFIX + "*" + FILE_SUFFIX;
}
