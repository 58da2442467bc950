package dev.larder.snapshot;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one rule giving a Delta version its commit timestamp, used by bootstraps ({@link DeltaSource#commitTimestamp})
 * and the change feed alike, so both stamp a version the same: its in-commit timestamp where the table enables them
 * ({@code delta.enableInCommitTimestamps} in the metadata in effect after the commit), else Delta's monotonic file
 * time: the commit file's modification time, raised to 1 ms after the previous commit's where the storage clock went
 * backwards, chained from the earliest commit file in the log (Kernel's {@code Snapshot.getTimestamp} and
 * {@code CommitActions.getTimestamp} both take the raw modification time). {@code commitInfo.timestamp}, the writer's
 * wall clock, is not used.
 *
 * <p>A file time more than {@link #BACKWARDS_TOLERANCE} before its predecessor's, an in-commit timestamp before its
 * predecessor's, or a timestamp more than {@link #FUTURE_TOLERANCE} ahead of this machine's clock, is
 * logged as a WARNING naming the table, the version and both times, once per version: here, where every path that
 * applies commits (bootstrap, change feed, rebuild) gets its timestamps. Thread-safe.
 */
final class CommitTimestamps {
    /** How far ahead of this machine's clock a commit timestamp may be before it is reported. */
    static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);
    /** File times this far before the previous commit's are reported; smaller steps back are clock noise or a copy. */
    static final Duration BACKWARDS_TOLERANCE = Duration.ofMinutes(1);
    private static final System.Logger LOG = System.getLogger(DeltaSource.class.getName());
    private static final Pattern COMMIT_FILE = Pattern.compile("(\\d{20})\\.json");
    private static final long NONE = Long.MIN_VALUE;

    private final Engine engine;
    private final String root;
    /** The monotonic file time of {@link #chainVersion}, the last version it was worked out for (-1: none yet). */
    private long chainVersion = -1;
    private long chainMillis;
    /** The timestamp last given, to {@link #lastVersion}, by either rule: what the next version is compared with. */
    private long lastVersion = -1;
    private long lastMillis;
    /** Versions up to this one have had their warnings logged; retries of a failed version stay quiet. */
    private long warnedThrough = -1;

    CommitTimestamps(Engine engine, String root) {
        this.engine = engine;
        this.root = root;
    }

    /**
     * The timestamp of {@code version}.
     *
     * @param metadata the table metadata in effect after the commit
     * @param inCommitTimestamp the commit's in-commit timestamp, asked for only when {@code metadata} enables them
     * @param commitFile the commit file's status, asked for only when it does not
     */
    synchronized long of(long version, KernelInternals.TableMetadata metadata, LongSupplier inCommitTimestamp,
                         Supplier<FileStatus> commitFile) {
        boolean warn = version > warnedThrough;
        long millis;
        if (inCommitTimestampsEnabled(metadata)) {
            millis = inCommitTimestamp.getAsLong();
            if (warn && lastVersion == version - 1 && millis <= lastMillis) {
                warn(version, "in-commit timestamp " + Instant.ofEpochMilli(millis) + " is not after version "
                        + lastVersion + "'s " + Instant.ofEpochMilli(lastMillis) + "; kept, as the table's own clock");
            }
        } else {
            long raw = commitFile.get().getModificationTime();
            long previous = fileTimeBefore(version);
            millis = previous == NONE ? raw : Math.max(raw, previous + 1);
            // Equal or nearly equal file times are normal (a copied table, commits within one clock tick): only a
            // clock going clearly backwards is worth a warning.
            if (warn && previous != NONE && previous - raw > BACKWARDS_TOLERANCE.toMillis()) {
                warn(version, "commit file modification time " + Instant.ofEpochMilli(raw) + " is not after version "
                        + (version - 1) + "'s " + Instant.ofEpochMilli(previous) + "; using "
                        + Instant.ofEpochMilli(millis) + " (Delta's monotonic commit timestamps)");
            }
            chainVersion = version;
            chainMillis = millis;
        }
        long now = System.currentTimeMillis();
        if (warn && millis - now > FUTURE_TOLERANCE.toMillis()) {
            // Kept, not clamped to the apply time: a version has one timestamp whichever path applies it, and when.
            warn(version, "commit timestamp " + Instant.ofEpochMilli(millis) + " is " + span(millis - now)
                    + " ahead of this machine's clock (" + Instant.ofEpochMilli(now) + "); kept as the version's"
                    + " timestamp, so under a TTL its rows expire only a TTL after " + Instant.ofEpochMilli(millis));
        }
        lastVersion = version;
        lastMillis = millis;
        warnedThrough = Math.max(warnedThrough, version);
        return millis;
    }

    static boolean inCommitTimestampsEnabled(KernelInternals.TableMetadata metadata) {
        return metadata.inCommitTimestampsEnabled();
    }

    /** The status of {@code version}'s commit file. */
    FileStatus commitFile(long version) {
        try {
            return engine.getFileSystemClient()
                    .getFileStatus(root + "/_delta_log/" + String.format("%020d.json", version));
        } catch (IOException e) {
            throw new DeltaReadException(DeltaReadException.Reason.MISSING_FILE, root, version, null, null,
                    "the commit file cannot be read: " + e, e);
        }
    }

    /**
     * The monotonic file time of the last commit file before {@code version}, or NONE if there is none; chains from the
     * earliest commit file unless the previous version's is known, as it is when a feed goes on from where it stopped.
     */
    private long fileTimeBefore(long version) {
        if (chainVersion >= 0 && chainVersion == version - 1) {
            return chainMillis;
        }
        long millis = NONE;
        try (CloseableIterator<FileStatus> it = engine.getFileSystemClient()
                .listFrom(root + "/_delta_log/" + String.format("%020d", 0))) {
            while (it.hasNext()) {
                FileStatus f = it.next();
                String path = f.getPath();
                Matcher m = COMMIT_FILE.matcher(path.substring(path.lastIndexOf('/') + 1));
                if (!m.matches()) {
                    continue;
                }
                if (Long.parseLong(m.group(1)) >= version) {
                    break;
                }
                millis = millis == NONE ? f.getModificationTime() : Math.max(f.getModificationTime(), millis + 1);
            }
        } catch (IOException e) {
            throw new DeltaReadException(DeltaReadException.Reason.IO, root, version, null, null,
                    "the log cannot be listed to work out commit timestamps: " + e, e);
        }
        return millis;
    }

    /** {@code millis} for a reader: days and hours, or hours and minutes, or minutes and seconds. */
    static String span(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toDays() > 0) {
            return d.toDays() + " d " + d.toHoursPart() + " h";
        }
        return d.toHours() > 0 ? d.toHours() + " h " + d.toMinutesPart() + " min"
                : d.toMinutes() + " min " + d.toSecondsPart() + " s";
    }

    private void warn(long version, String what) {
        LOG.log(System.Logger.Level.WARNING, "table " + root + ", version " + version + ": " + what);
    }
}
