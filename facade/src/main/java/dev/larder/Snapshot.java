package dev.larder;

import dev.larder.snapshot.DeltaSource;
import java.time.Instant;
import java.util.Objects;

/**
 * Immutable: which snapshot of a Delta table {@link Larder.Builder#load} copies: the latest, a version, or the version
 * current at an instant.
 */
public final class Snapshot {
    private static final Snapshot LATEST = new Snapshot(-1, null);
    private final long version;
    private final Instant asOf;

    private Snapshot(long version, Instant asOf) {
        this.version = version;
        this.asOf = asOf;
    }

    /** The newest version when the load starts. */
    public static Snapshot latest() {
        return LATEST;
    }

    /**
     * Version {@code version} of the table.
     *
     * @throws IllegalArgumentException if it is negative
     */
    public static Snapshot version(long version) {
        if (version < 0) {
            throw new IllegalArgumentException("a Delta version is at least 0, got " + version);
        }
        return new Snapshot(version, null);
    }

    /** The version current at {@code instant}: the newest committed at or before it. */
    public static Snapshot asOf(Instant instant) {
        return new Snapshot(-1, Objects.requireNonNull(instant, "instant"));
    }

    /** The version this snapshot is of {@code source}. */
    long resolve(DeltaSource source) {
        if (version >= 0) {
            return version;
        }
        return asOf != null ? source.versionAtOrBefore(asOf.toEpochMilli()) : source.latestVersion();
    }

    @Override
    public String toString() {
        return version >= 0 ? "version " + version : asOf != null ? "as of " + asOf : "latest";
    }
}
