package dev.larder.jmh;

/**
 * Uniformly random keys in {@code [0, keys)} from an xorshift64* generator: a few cycles and no memory traffic per key,
 * so the generator does not compete with the lookup it feeds for cache.
 */
public final class KeySequence {
    private final long keys;
    private long state;

    public KeySequence(long keys, long seed) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be positive");
        }
        this.keys = keys;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    public long next() {
        long x = state;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        state = x;
        return Math.multiplyHigh(x * 0x2545F4914F6CDD1DL >>> 1, keys << 1);
    }
}
