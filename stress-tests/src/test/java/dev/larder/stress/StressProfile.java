package dev.larder.stress;

/** Which size of suite to run: {@code short} in CI, {@code long} on demand ({@code -Plong}). Immutable. */
final class StressProfile {
    static final boolean LONG = "long".equals(System.getProperty("larder.stress.profile", "short"));

    private StressProfile() {
    }

    static long pick(long shortValue, long longValue) {
        return LONG ? longValue : shortValue;
    }
}
