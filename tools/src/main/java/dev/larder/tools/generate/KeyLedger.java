package dev.larder.tools.generate;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Replays a spec's key history: which keys are live after each commit and, optionally, the version that last wrote
 * each. Commit plans are a function of (seed, version, live set), so replaying from version 0 reproduces them exactly.
 */
final class KeyLedger {
    private final GeneratorSpec spec;
    private long[] liveWords;
    private int[] lastWrite;
    private long nextKey;
    private long liveCount;
    private long version;

    KeyLedger(GeneratorSpec spec, boolean trackWriteVersions) {
        this.spec = spec;
        this.nextKey = spec.rows();
        this.liveCount = spec.rows();
        this.liveWords = new long[wordsFor(nextKey)];
        for (long k = 0; k < nextKey; k += 64) {
            int bits = (int) Math.min(64, nextKey - k);
            liveWords[(int) (k >>> 6)] = bits == 64 ? -1L : (1L << bits) - 1;
        }
        if (trackWriteVersions) {
            if (spec.rows() > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tracking write versions supports up to 2^31 keys");
            }
            this.lastWrite = new int[(int) spec.rows()];
        }
    }

    long version() {
        return version;
    }

    long liveCount() {
        return liveCount;
    }

    long keyUpperBound() {
        return nextKey;
    }

    boolean isLive(long key) {
        return key >= 0 && key < nextKey && (liveWords[(int) (key >>> 6)] & (1L << key)) != 0;
    }

    int lastWriteVersion(long key) {
        return lastWrite[Math.toIntExact(key)];
    }

    /**
     * Chooses the next commit's keys. Deleted and updated keys are drawn from a window of the key space a few times
     * wider than the number needed: files hold contiguous key ranges, so a real-looking MERGE touches one or two files
     * per commit instead of rewriting the whole table, which keeps commits cheap on 10M-row tables.
     */
    CommitPlan planNext() {
        long planVersion = version + 1;
        SplittableRandom random = new SplittableRandom(GeneratorSpec.mix(spec.seed() ^ GeneratorSpec.mix(planVersion)));
        int deletes = (int) Math.min(spec.deletesPerCommit(), liveCount);
        int updates = (int) Math.min(spec.updatesPerCommit(), liveCount - deletes);
        long[] chosen = choose(deletes + updates, random);
        long[] deleted = Arrays.copyOfRange(chosen, 0, deletes);
        long[] updated = Arrays.copyOfRange(chosen, deletes, chosen.length);
        Arrays.sort(deleted);
        Arrays.sort(updated);
        return new CommitPlan(planVersion, deleted, updated, nextKey, spec.insertsPerCommit());
    }

    void apply(CommitPlan plan) {
        if (plan.version() != version + 1 || plan.firstInsertedKey() != nextKey) {
            throw new IllegalStateException("plan " + plan + " does not follow version " + version);
        }
        for (long key : plan.deletedKeys()) {
            liveWords[(int) (key >>> 6)] &= ~(1L << key);
        }
        long newNext = nextKey + plan.insertedCount();
        if (wordsFor(newNext) > liveWords.length) {
            liveWords = Arrays.copyOf(liveWords, Math.max(wordsFor(newNext), liveWords.length * 2));
        }
        for (long key = nextKey; key < newNext; key++) {
            liveWords[(int) (key >>> 6)] |= 1L << key;
        }
        if (lastWrite != null) {
            if (newNext > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("tracking write versions supports up to 2^31 keys");
            }
            if (newNext > lastWrite.length) {
                lastWrite = Arrays.copyOf(lastWrite, (int) Math.min(Integer.MAX_VALUE - 8,
                        Math.max(newNext, (long) lastWrite.length * 2)));
            }
            int v = Math.toIntExact(plan.version());
            for (long key : plan.updatedKeys()) {
                lastWrite[(int) key] = v;
            }
            Arrays.fill(lastWrite, (int) nextKey, (int) newNext, v);
        }
        liveCount += plan.insertedCount() - plan.deletedKeys().length;
        nextKey = newNext;
        version = plan.version();
    }

    private long[] choose(int need, SplittableRandom random) {
        long[] chosen = new long[need];
        if (need == 0) {
            return chosen;
        }
        Set<Long> taken = new HashSet<>(need * 2);
        long space = nextKey;
        long width = Math.min(space, Math.max(1024, 4L * need));
        long start = random.nextLong(space);
        long budget = 8L * need + 64;
        long tries = 0;
        int count = 0;
        while (count < need) {
            if (tries == budget) {
                if (width == space) {
                    // Live keys are too sparse for rejection sampling: take the next live ones after start instead.
                    for (long i = 0; i < space && count < need; i++) {
                        long key = (start + i) % space;
                        if (isLive(key) && taken.add(key)) {
                            chosen[count++] = key;
                        }
                    }
                    break;
                }
                width = Math.min(space, width * 2);
                tries = 0;
            }
            tries++;
            long key = (start + random.nextLong(width)) % space;
            if (isLive(key) && taken.add(key)) {
                chosen[count++] = key;
            }
        }
        return chosen;
    }

    private static int wordsFor(long keys) {
        return Math.toIntExact((keys + 63) >>> 6);
    }
}
