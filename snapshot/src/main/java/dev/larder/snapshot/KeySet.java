package dev.larder.snapshot;

import java.util.Arrays;

/**
 * The encoded keys one commit has added so far, each with the index of the file it came from, to catch a key added
 * twice; confined to one thread. Compact, since a commit may add millions of rows: entries are packed into one byte
 * arena (8 bytes of header plus the key) and found through an open-addressing table of 8-byte slots kept at most half
 * full, so a commit of N keys of K bytes holds N * (K + 8) arena bytes plus 16 to 32 bytes of slots per key.
 */
final class KeySet {
    private static final int INITIAL_SLOTS = 1 << 10;
    private static final int INITIAL_ARENA = 1 << 14;
    /** Past this many slots a cleared set starts small again, so one huge commit does not pin its memory. */
    private static final int RETAINED_SLOTS = 1 << 16;

    /** Per slot: key hash in the high half, arena offset + 1 in the low half; 0 when empty. */
    private long[] slots = new long[INITIAL_SLOTS];
    /** Per entry: key length (4 bytes), file index (4 bytes), key bytes. */
    private byte[] arena = new byte[INITIAL_ARENA];
    private int used;
    private int size;

    /**
     * Adds the key {@code key[0..length)} from file {@code file}; returns -1 if the key was new, else the file index it
     * was first added with (the set is unchanged).
     */
    int add(byte[] key, int length, int file) {
        int hash = hash(key, length);
        int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) {
                break;
            }
            int at = (int) slot - 1;
            if ((int) (slot >>> 32) == hash && Arrays.equals(arena, at + 8, at + 8 + readInt(at), key, 0, length)) {
                return readInt(at + 4);
            }
        }
        int at = append(key, length, file);
        if (++size * 2 > slots.length) {
            rehash(slots.length * 2);
        }
        insert(hash, at);
        return -1;
    }

    void clear() {
        if (slots.length > RETAINED_SLOTS) {
            slots = new long[INITIAL_SLOTS];
            arena = new byte[INITIAL_ARENA];
        } else {
            Arrays.fill(slots, 0);
        }
        used = 0;
        size = 0;
    }

    private int append(byte[] key, int length, int file) {
        int need = 8 + length;
        if (arena.length - used < need) {
            long grown = Math.max((long) used + need, (long) arena.length * 2);
            if (grown > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException(
                        "a commit adds more than 2 GiB of keys; too large to check for duplicate keys");
            }
            arena = Arrays.copyOf(arena, (int) grown);
        }
        int at = used;
        writeInt(at, length);
        writeInt(at + 4, file);
        System.arraycopy(key, 0, arena, at + 8, length);
        used += need;
        return at;
    }

    private void rehash(int capacity) {
        long[] old = slots;
        slots = new long[capacity];
        for (long slot : old) {
            if (slot != 0) {
                insert((int) (slot >>> 32), (int) slot - 1);
            }
        }
    }

    private void insert(int hash, int at) {
        int mask = slots.length - 1;
        int i = hash & mask;
        while (slots[i] != 0) {
            i = (i + 1) & mask;
        }
        slots[i] = ((long) hash << 32) | (at + 1L);
    }

    private static int hash(byte[] key, int length) {
        int h = 1;
        for (int i = 0; i < length; i++) {
            h = 31 * h + key[i];
        }
        h *= 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    private int readInt(int at) {
        return (arena[at] & 0xff) << 24 | (arena[at + 1] & 0xff) << 16 | (arena[at + 2] & 0xff) << 8
                | (arena[at + 3] & 0xff);
    }

    private void writeInt(int at, int v) {
        arena[at] = (byte) (v >>> 24);
        arena[at + 1] = (byte) (v >>> 16);
        arena[at + 2] = (byte) (v >>> 8);
        arena[at + 3] = (byte) v;
    }
}
