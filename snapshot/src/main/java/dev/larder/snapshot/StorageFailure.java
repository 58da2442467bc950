package dev.larder.snapshot;

import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.UnsupportedFileSystemException;

/**
 * Recognises failures of the storage rather than of the table's content (access denied, storage unreachable, no
 * filesystem for the scheme), so errors say so instead of calling the log or a file damaged; stateless.
 */
final class StorageFailure {
    /** The schemes dev.larder:larder-cloud brings filesystems for. */
    private static final Set<String> CLOUD_SCHEMES = Set.of("s3a", "s3", "abfss", "abfs", "gs");

    private StorageFailure() {
    }

    /**
     * What went wrong if {@code e}'s cause chain holds an access or network failure, else null; callers append
     * {@code e}.
     */
    static String describe(Throwable e, Configuration conf) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AccessDeniedException) {
                String origin = conf.get(DeltaSource.CREDENTIALS_ORIGIN_KEY);
                return "access denied by the storage (credentials wrong, expired or without permission; "
                        + "credentials from " + (origin != null ? origin : "the Hadoop configuration") + ")";
            }
            // ConnectException, NoRouteToHostException and connection resets are SocketExceptions.
            if (t instanceof SocketException || t instanceof SocketTimeoutException
                    || t instanceof UnknownHostException) {
                return "the storage cannot be reached";
            }
        }
        return null;
    }

    /**
     * What to tell an operator when {@code e}'s cause chain holds an {@link OutOfMemoryError} (Kernel wraps it in a
     * RuntimeException, which would otherwise read as a corrupt file), else null; callers append {@code e}.
     */
    static String outOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return "the Java heap (max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MB) is too small to"
                        + " read this file: the parquet reader holds whole row groups of the columns it reads, so give"
                        + " the JVM about 3x the largest row group (-Xmx; for ./larder, LARDER_JAVA_OPTS); the file is"
                        + " not corrupt";
            }
        }
        return null;
    }

    /** The expired credentials in {@code e}'s cause chain, or null. */
    static ExpiredCredentialsException expiredCredentials(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ExpiredCredentialsException x) {
                return x;
            }
        }
        return null;
    }

    /**
     * What to add to the class path if {@code e} says no Hadoop filesystem serves {@code pathOrUri}'s scheme, else
     * null.
     */
    static String missingFileSystem(String pathOrUri, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedFileSystemException || t instanceof ClassNotFoundException) {
                String scheme = scheme(pathOrUri);
                return "no Hadoop filesystem for scheme '" + scheme + "' on the class path ("
                        + (CLOUD_SCHEMES.contains(scheme) ? "add dev.larder:larder-cloud"
                        : "add the Hadoop connector for it") + "): " + t.getMessage();
            }
        }
        return null;
    }

    private static String scheme(String pathOrUri) {
        try {
            String s = URI.create(pathOrUri).getScheme();
            return s == null ? "file" : s;
        } catch (IllegalArgumentException e) {
            return "file";
        }
    }
}
