package dev.larder.snapshot;

import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.CommitRangeNotFoundException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.exceptions.UnsupportedProtocolVersionException;
import io.delta.kernel.exceptions.UnsupportedTableFeatureException;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;

/**
 * Names a Kernel or storage failure while reading one table's log as a {@link DeltaReadException}: its reason, the
 * table, the version and file where known, and for an unreadable checkpoint the checkpoint Kernel does not name. One
 * per {@link DeltaSource}; thread-safe.
 */
final class DeltaLogErrors {
    /** Classic, multi-part and v2 checkpoint files; group 1 is the version. */
    private static final Pattern CHECKPOINT_FILE = Pattern.compile("(\\d{20})\\.checkpoint(\\..+)?\\.(parquet|json)");

    private final Engine engine;
    private final String root;
    private final Configuration conf;
    private final boolean withCatalog;

    /**
     * @param root        the fully qualified table root the exceptions name
     * @param withCatalog whether the table was opened with the catalog that owns its commits
     */
    DeltaLogErrors(Engine engine, String root, Configuration conf, boolean withCatalog) {
        this.engine = engine;
        this.root = root;
        this.conf = conf;
        this.withCatalog = withCatalog;
    }

    /** A catalog-managed table opened by path: what to do instead. */
    DeltaReadException catalogNeeded(long version, Throwable cause) {
        return new DeltaReadException(DeltaReadException.Reason.UNSUPPORTED_FEATURE, root, version, null, null,
                "the table is catalog-managed (reader feature '" + DeltaSource.CATALOG_MANAGED + "'): its latest "
                + "commits are known only to its catalog, so open it by its catalog name (--uc-table "
                + "CATALOG.SCHEMA.TABLE; in a definition file, unity_catalog: CATALOG.SCHEMA.TABLE instead of delta: "
                + "PATH)", cause);
    }

    /** Maps a Kernel or storage failure while reading the log to a {@link DeltaReadException}. */
    DeltaReadException translate(Throwable e, long version, String file) {
        if (e instanceof DeltaReadException d) {
            return d;
        }
        if (!withCatalog && String.valueOf(e.getMessage()).contains("maxCatalogVersion")) {
            return catalogNeeded(version, e);
        }
        ExpiredCredentialsException expired = StorageFailure.expiredCredentials(e);
        if (expired != null) {
            return new DeltaReadException(DeltaReadException.Reason.EXPIRED_CREDENTIALS, root, version, file,
                    null, expired.getMessage(), e);
        }
        String memory = StorageFailure.outOfMemory(e);
        if (memory != null) {
            return new DeltaReadException(DeltaReadException.Reason.OUT_OF_MEMORY, root, version, file, null,
                    memory + ": " + e, e);
        }
        DeltaReadException.Reason reason = DeltaReadException.Reason.MALFORMED_LOG;
        String detail = "the Delta log cannot be read";
        if (e instanceof TableNotFoundException || e instanceof CommitRangeNotFoundException) {
            reason = DeltaReadException.Reason.NOT_FOUND;
            detail = "no Delta table or commit range here";
        } else if (e instanceof UnsupportedTableFeatureException || e instanceof UnsupportedProtocolVersionException) {
            reason = DeltaReadException.Reason.UNSUPPORTED_FEATURE;
            detail = "the table needs a reader capability Kernel lacks";
        } else if (StorageFailure.describe(e, conf) != null) {
            reason = DeltaReadException.Reason.IO;
            detail = StorageFailure.describe(e, conf);
        } else {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof FileNotFoundException || t instanceof NoSuchFileException) {
                    reason = DeltaReadException.Reason.MISSING_FILE;
                    detail = "a file the log needs is missing";
                    break;
                }
            }
        }
        if (file == null && reason == DeltaReadException.Reason.MALFORMED_LOG) {
            DeltaReadException checkpoint = checkpointError(e, version);
            if (checkpoint != null) {
                return checkpoint;
            }
        }
        return new DeltaReadException(reason, root, version, file, null, detail + ": " + e, e);
    }

    /**
     * Kernel reports an unreadable checkpoint with the toString of its internal input object, naming neither the file
     * nor its version. Our own readers name the data files they fail on, so a parquet failure that reaches
     * {@link #translate} comes from log replay, which reads the newest checkpoint at or before {@code version}: that
     * checkpoint is named instead. Null when {@code e} is not a parquet failure or no such checkpoint exists.
     */
    private DeltaReadException checkpointError(Throwable e, long version) {
        Throwable parquet = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (frame.getClassName().startsWith("org.apache.parquet.")
                        || frame.getClassName().startsWith("io.delta.kernel.defaults.internal.parquet.")) {
                    parquet = t;
                    break;
                }
            }
        }
        if (parquet == null) {
            return null;
        }
        String checkpoint = null;
        long checkpointVersion = -1;
        String first = root + "/_delta_log/" + String.format("%020d", 0);
        try (CloseableIterator<FileStatus> it = engine.getFileSystemClient().listFrom(first)) {
            while (it.hasNext()) {
                String path = it.next().getPath();
                Matcher m = CHECKPOINT_FILE.matcher(DeltaSource.fileName(path));
                if (m.matches()) {
                    long v = Long.parseLong(m.group(1));
                    // The listing is sorted: the first file of a multi-part checkpoint is kept.
                    if ((version < 0 || v <= version) && v > checkpointVersion) {
                        checkpointVersion = v;
                        checkpoint = path;
                    }
                }
            }
        } catch (IOException | RuntimeException listing) {
            e.addSuppressed(listing);
            return null;
        }
        if (checkpoint == null) {
            return null;
        }
        String problem = String.valueOf(parquet.getMessage()).replaceAll("[\\w.$]+@[0-9a-f]+", "the file");
        return new DeltaReadException(DeltaReadException.Reason.MALFORMED_LOG, root, checkpointVersion, checkpoint,
                null, "the checkpoint of version " + checkpointVersion + " cannot be read: " + problem, e);
    }
}
