package dev.larder.tools.generate;

/**
 * Expected content of a generated table at one version, computed from the spec alone: the live keys and, per key, the
 * version that last wrote it, from which every cell follows.
 */
public final class TableState {
    private final GeneratorSpec spec;
    private final KeyLedger ledger;

    TableState(GeneratorSpec spec, KeyLedger ledger) {
        this.spec = spec;
        this.ledger = ledger;
    }

    public long version() {
        return ledger.version();
    }

    public long liveCount() {
        return ledger.liveCount();
    }

    /** Every key ever written up to this version is below this bound. */
    public long keyUpperBound() {
        return ledger.keyUpperBound();
    }

    public boolean contains(long key) {
        return ledger.isLive(key);
    }

    /** Version of the commit that last inserted or updated {@code key}. */
    public long lastWriteVersion(long key) {
        requireLive(key);
        return ledger.lastWriteVersion(key);
    }

    public double numericValue(long key, int feature) {
        return spec.numericValue(key, feature, lastWriteVersion(key));
    }

    public String stringValue(long key, int feature) {
        return spec.stringValue(key, feature, lastWriteVersion(key));
    }

    /** Live keys in ascending order. */
    public long[] liveKeys() {
        long[] keys = new long[Math.toIntExact(ledger.liveCount())];
        int n = 0;
        for (long key = 0; key < ledger.keyUpperBound(); key++) {
            if (ledger.isLive(key)) {
                keys[n++] = key;
            }
        }
        return keys;
    }

    private void requireLive(long key) {
        if (!ledger.isLive(key)) {
            throw new IllegalArgumentException("key " + key + " is not live at version " + ledger.version());
        }
    }
}
