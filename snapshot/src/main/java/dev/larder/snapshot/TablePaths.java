package dev.larder.snapshot;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.NoSuchFileException;
import java.util.Objects;

/**
 * Resolves file paths written in a Delta log against the table root and refuses any that land outside
 * it, on local file systems also through symbolic links; immutable.
 */
final class TablePaths {
    /** Fully qualified Hadoop form of the root, e.g. {@code file:/data/t}. */
    final String root;
    private final URI rootUri;

    TablePaths(String qualifiedRoot) {
        this.root = qualifiedRoot.endsWith("/") ? qualifiedRoot.substring(0, qualifiedRoot.length() - 1)
                : qualifiedRoot;
        URI u = KernelInternals.toUri(root).normalize();
        String p = u.getRawPath().endsWith("/") ? u.getRawPath() : u.getRawPath() + "/";
        this.rootUri = URI.create(u.getScheme() + ":" + (u.getRawAuthority() == null ? "" : "//" + u.getRawAuthority())
                + p);
    }

    /**
     * A log path (URI-encoded; relative to the root, or absolute) as the Hadoop path string to read.
     *
     * @throws DeltaReadException PATH_OUTSIDE_TABLE if it escapes the root, MALFORMED_LOG if it is no URI,
     *     IO if a local path's real location cannot be resolved
     */
    String resolveLogPath(String raw, long version) {
        URI u;
        try {
            u = new URI(raw);
        } catch (URISyntaxException e) {
            throw new DeltaReadException(DeltaReadException.Reason.MALFORMED_LOG, root, version, raw, null,
                    "file path in the log is not a valid URI", e);
        }
        return inside(u.isAbsolute() ? u : rootUri.resolve(u), raw, version);
    }

    /** A Hadoop path string (decoded form, e.g. from Kernel) checked to lie inside the root. */
    String checkHadoopPath(String hadoopPath, long version) {
        return inside(KernelInternals.toUri(hadoopPath), hadoopPath, version);
    }

    private String inside(URI candidate, String asWritten, long version) {
        URI n = candidate.normalize();
        // Checked on the decoded path too: "%2E%2E" survives URI normalisation but reads as ".." on storage.
        String path = n.getPath();
        boolean ok = n.getScheme() != null && n.getScheme().equalsIgnoreCase(rootUri.getScheme())
                && Objects.equals(n.getRawAuthority(), rootUri.getRawAuthority())
                && path != null && path.startsWith(rootUri.getPath()) && path.length() > rootUri.getPath().length()
                && !hasDotSegment(path);
        if (!ok) {
            throw new DeltaReadException(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, root, version, asWritten, null,
                    "file path resolves outside the table root (" + n + "); refused", null);
        }
        if ("file".equalsIgnoreCase(n.getScheme())) {
            checkRealPathInside(path, asWritten, version);
        }
        return KernelInternals.hadoopPath(n);
    }

    /**
     * The file's real path (every symbolic link on the way resolved) must lie under the root's real path. A file that
     * does not exist passes: reading it reports it missing. Object stores have no links, so only local paths get here.
     */
    private void checkRealPathInside(String path, String asWritten, long version) {
        java.nio.file.Path real;
        java.nio.file.Path realRoot;
        try {
            real = java.nio.file.Path.of(path).toRealPath();
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | RuntimeException e) {
            throw new DeltaReadException(DeltaReadException.Reason.IO, root, version, asWritten, null,
                    "cannot resolve the real path of " + path + ": " + e, e);
        }
        try {
            // Resolved on every check, not once: an operator may repoint a linked root to a new copy of the table.
            realRoot = java.nio.file.Path.of(rootUri.getPath()).toRealPath();
        } catch (IOException | RuntimeException e) {
            throw new DeltaReadException(DeltaReadException.Reason.IO, root, version, asWritten, null,
                    "cannot resolve the real path of the table root: " + e, e);
        }
        if (!real.startsWith(realRoot) || real.equals(realRoot)) {
            throw new DeltaReadException(DeltaReadException.Reason.PATH_OUTSIDE_TABLE, root, version, asWritten, null,
                    "file path leads outside the table root through a symbolic link (real path " + real + ", root "
                            + realRoot + "); refused", null);
        }
    }

    private static boolean hasDotSegment(String path) {
        for (String segment : path.split("/")) {
            if (segment.equals("..") || segment.equals(".")) {
                return true;
            }
        }
        return false;
    }
}
