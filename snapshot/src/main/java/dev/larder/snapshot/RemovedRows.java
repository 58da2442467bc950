package dev.larder.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The rows one commit removes (deletes and pre-images), each kept as its encoded key and a 64-bit hash of its values,
 * until the commit's additions claim them (which also catches a removed key added twice); confined to one thread. A
 * rewritten file removes every row it held, so this holds a whole file's keys: entries are packed into one byte arena
 * and found through an open-addressing table of 8-byte slots kept at most half full, a commit removing N keys of K
 * bytes holding N * (K + 16) arena bytes plus 16 to 32 bytes of slots per key, not N row images.
 *
 * <pre>
 * entry:  | key length (int32) | claiming file + 1, 0 = none (int32) | value hash (int64) | key bytes ... |
 * slot:   | key hash (high 32 bits) | entry offset + 1 (low 32 bits) |     0 = empty
 * </pre>
 */
final class RemovedRows {
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int HEADER = 16;
    private static final int INITIAL_SLOTS = 1 << 10;
    private static final int INITIAL_ARENA = 1 << 14;
    /** Past this many slots a cleared set starts small again, so one huge commit does not pin its memory. */
    private static final int RETAINED_SLOTS = 1 << 16;

    /** Receives a key, {@code arena[offset..offset + length)}, valid during the call. */
    interface KeyVisitor {
        void visit(byte[] arena, int offset, int length);
    }

    private long[] slots = new long[INITIAL_SLOTS];
    private byte[] arena = new byte[INITIAL_ARENA];
    private int used;
    private int size;

    /** Records the removal of {@code key[0..length)} with its values' hash; a key removed again keeps the last hash. */
    void put(byte[] key, int length, long valueHash) {
        int hash = hash(key, length);
        int at = find(key, length, hash);
        if (at < 0) {
            at = append(key, length);
            if (++size * 2 > slots.length) {
                rehash(slots.length * 2);
            }
            insert(hash, at);
        }
        INTS.set(arena, at + 4, 0);
        LONGS.set(arena, at + 8, valueHash);
    }

    /** The entry of the removal of {@code key[0..length)}, or -1 when the commit did not remove the key. */
    int find(byte[] key, int length) {
        return find(key, length, hash(key, length));
    }

    /** The file index an addition claimed {@code entry} with, or -1 while no addition has. */
    int claimedBy(int entry) {
        return (int) INTS.get(arena, entry + 4) - 1;
    }

    /**
     * Marks {@code entry} as claimed by an addition of its key from file {@code file} (an index, at least 0): it is no
     * delete at the end of the commit, and a second addition of the key is a duplicate.
     */
    void claim(int entry, int file) {
        INTS.set(arena, entry + 4, file + 1);
    }

    /** The value hash recorded for {@code entry}. */
    long valueHash(int entry) {
        return (long) LONGS.get(arena, entry + 8);
    }

    /** Visits the keys no addition claimed, in the order they were first removed. */
    void forEachUnclaimed(KeyVisitor visitor) {
        for (int at = 0; at < used; ) {
            int length = (int) INTS.get(arena, at);
            if ((int) INTS.get(arena, at + 4) == 0) {
                visitor.visit(arena, at + HEADER, length);
            }
            at += HEADER + length;
        }
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

    private int find(byte[] key, int length, int hash) {
        int mask = slots.length - 1;
        for (int i = hash & mask; ; i = (i + 1) & mask) {
            long slot = slots[i];
            if (slot == 0) {
                return -1;
            }
            int at = (int) slot - 1;
            if ((int) (slot >>> 32) == hash && (int) INTS.get(arena, at) == length
                    && Arrays.equals(arena, at + HEADER, at + HEADER + length, key, 0, length)) {
                return at;
            }
        }
    }

    private int append(byte[] key, int length) {
        int need = HEADER + length;
        if (arena.length - used < need) {
            long grown = Math.max((long) used + need, (long) arena.length * 2);
            if (grown > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a commit removes more than 2 GiB of keys; too large to hold");
            }
            arena = Arrays.copyOf(arena, (int) grown);
        }
        int at = used;
        INTS.set(arena, at, length);
        System.arraycopy(key, 0, arena, at + HEADER, length);
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
        long h = RowParity.hashBytes(key, 0, length);
        return (int) (h ^ (h >>> 32));
    }
}
