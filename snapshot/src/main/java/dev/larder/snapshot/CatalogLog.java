package dev.larder.snapshot;

import io.delta.kernel.utils.FileStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * The log of a catalog-managed table beyond what its path shows: the commits its catalog ratified, asked once per
 * read of the table (the outermost read on a thread holds the answer for everything it calls, so a read's version
 * check, snapshot and change range see the same commits and the catalog gets one request, not one per step), and the
 * staged commit files they name. One per {@link DeltaSource}; thread-safe.
 */
final class CatalogLog {
    /** The staged commit files of a catalog-managed table, relative to the table root. */
    static final String STAGED_COMMITS = "/_delta_log/_staged_commits/";

    private final CatalogCommits catalog;
    private final String root;
    /** The catalog's answer for the read in progress on each thread; unset outside a read. */
    private final ThreadLocal<CatalogCommits.Ratified[]> answer = new ThreadLocal<>();

    /** @param root the fully qualified table root */
    CatalogLog(CatalogCommits catalog, String root) {
        this.catalog = catalog;
        this.root = root;
    }

    CatalogCommits commits() {
        return catalog;
    }

    /** Starts a read on this thread: true when it is the outermost, whose caller must {@link #endRead} it. */
    boolean beginRead() {
        if (answer.get() != null) {
            return false;
        }
        answer.set(new CatalogCommits.Ratified[1]);
        return true;
    }

    /** Ends the outermost read on this thread: the next one asks the catalog again. */
    void endRead() {
        answer.remove();
    }

    /** The catalog's answer, with its failures named as this table's; asked once per read ({@link #beginRead}). */
    CatalogCommits.Ratified ratified() {
        CatalogCommits.Ratified[] held = answer.get();
        if (held != null && held[0] != null) {
            return held[0];
        }
        try {
            CatalogCommits.Ratified r = catalog.ratified();
            if (held != null) {
                held[0] = r;
            }
            return r;
        } catch (DeltaReadException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DeltaReadException(DeltaReadException.Reason.IO, root, -1, null, null,
                    "the catalog cannot list the table's commits (" + catalog.describe() + "): " + e.getMessage(), e);
        }
    }

    /** The staged commit files of {@code r} up to {@code version} (all when negative), in the catalog's order. */
    List<FileStatus> stagedCommits(CatalogCommits.Ratified r, long version) {
        List<FileStatus> out = new ArrayList<>();
        for (CatalogCommits.Commit c : r.commits()) {
            if (version < 0 || c.version() <= version) {
                out.add(staged(c));
            }
        }
        return out;
    }

    /** The staged commit file of {@code version}, or null when the catalog's answer has none (it is published). */
    FileStatus stagedCommit(long version) {
        for (CatalogCommits.Commit c : ratified().commits()) {
            if (c.version() == version) {
                return staged(c);
            }
        }
        return null;
    }

    private FileStatus staged(CatalogCommits.Commit c) {
        return FileStatus.of(root + STAGED_COMMITS + c.fileName(), c.size(), c.modificationTimeMillis());
    }
}
