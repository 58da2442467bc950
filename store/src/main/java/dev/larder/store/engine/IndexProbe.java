package dev.larder.store.engine;

import dev.larder.store.StoreCorruptedException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Confined to the table's writer thread: one key's probe of the index ({@link IndexDescriptor}, linear probing from the
 * key's home slot), with the key, its hash and what the last {@link #find} found held in fields, so a probe allocates
 * nothing.
 */
public final class IndexProbe {
    private final RowLayoutDescriptor layout;
    private final String table;
    /** The encoded key probed for: {@code key[0..keyLength)}. */
    public final byte[] key;
    /** Scratch for a stored row's key. */
    private final byte[] rowKey;
    private int keyLength;
    private long keyHash;
    private long foundPos;
    private long foundRow;
    private long freePos;

    public IndexProbe(RowLayoutDescriptor layout, String table) {
        this.layout = layout;
        this.table = table;
        this.key = new byte[layout.keyCapacity()];
        this.rowKey = new byte[layout.keyCapacity()];
    }

    /** Sets the length of the key the caller encoded into {@link #key}. */
    public void keyLength(int length) {
        keyLength = length;
    }

    /** Hashes {@link #key}; call before {@link #find} and {@link #fingerprint}. */
    public void hash() {
        keyHash = KeyCodec.hash(key, keyLength);
    }

    public int fingerprint() {
        return (int) (keyHash >>> 32);
    }

    /** The slot of the key {@link #find} found. */
    public long foundPos() {
        return foundPos;
    }

    /** The row of the key {@link #find} found. */
    public long foundRow() {
        return foundRow;
    }

    /** Where {@link #find} would insert the key it missed: the first tombstone or the empty slot that ended it. */
    public long freePos() {
        return freePos;
    }

    /** Probes for {@link #key}; sets {@link #foundPos()}/{@link #foundRow()} when present, else {@link #freePos()}. */
    public boolean find(TableView v) {
        int fp = (int) (keyHash >>> 32);
        long pos = v.home(fp);
        long firstTombstone = -1;
        for (long probes = 0; probes < v.indexSlots; probes++) {
            long slot = v.slotAcquire(pos);
            if (slot == IndexDescriptor.EMPTY) {
                freePos = firstTombstone >= 0 ? firstTombstone : pos;
                return false;
            }
            if (slot == IndexDescriptor.TOMBSTONE) {
                if (firstTombstone < 0) {
                    firstTombstone = pos;
                }
            } else if (IndexDescriptor.fingerprint(slot) == fp) {
                long row = IndexDescriptor.rowId(slot);
                if (keyEquals(v, row)) {
                    foundPos = pos;
                    foundRow = row;
                    return true;
                }
            }
            pos = v.next(pos);
        }
        if (firstTombstone < 0) {
            throw new IllegalStateException("index of table " + table + " is full");
        }
        freePos = firstTombstone;
        return false;
    }

    private boolean keyEquals(TableView v, long row) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        int len = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        if (len != keyLength) {
            return false;
        }
        chunk.get(off + layout.keyOffset(), rowKey, 0, len);
        return Arrays.equals(rowKey, 0, len, key, 0, len);
    }

    /**
     * Loads a stored row's key into {@link #key} and hashes it; the row must be a complete one ({@code rowsFile} is
     * named when its key length is out of range).
     */
    public void loadKey(TableView v, long row, Path rowsFile, String whose) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        int len = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        if (len <= 0 || len > key.length) {
            throw new StoreCorruptedException(rowsFile, "row " + row + " " + whose + " has key length " + len);
        }
        keyLength = len;
        chunk.get(off + layout.keyOffset(), key, 0, len);
        hash();
    }

    /** Whether row {@code row}'s key is also the key of the row of one of the index entries {@code e[from..to)}. */
    public boolean keyOfAnyRow(TableView v, long row, long[] e, int from, int to) {
        MappedByteBuffer chunk = v.rowChunk(row);
        int off = v.rowOffset(row);
        keyLength = chunk.getShort(off + RowLayoutDescriptor.KEY_LENGTH);
        chunk.get(off + layout.keyOffset(), key, 0, keyLength);
        for (int b = from; b < to; b++) {
            if (keyEquals(v, IndexDescriptor.rowId(e[b]))) {
                return true;
            }
        }
        return false;
    }
}
