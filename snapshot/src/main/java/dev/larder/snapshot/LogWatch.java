package dev.larder.snapshot;

import dev.larder.ingest.VersionWatch;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

/**
 * A {@link VersionWatch} on a local table's {@code _delta_log} directory, used by one follower thread: a file-system
 * watch (inotify on Linux) wakes the follower when a commit file after the awaited version appears, so a commit is
 * applied milliseconds after it lands instead of up to a poll interval later, with no polling of the directory.
 *
 * <p>The watch is registered before the follower's first poll and queues what happens while the follower is busy, so no
 * commit landing between two waits is missed; a lost event (the queue overflowed) wakes the follower too, and the poll
 * interval still bounds every wait. Delta writers publish a commit file whole (a rename, or a put-if-absent of the
 * complete file), so the file a watch reports is complete.
 */
final class LogWatch implements VersionWatch {
    private static final System.Logger LOG = System.getLogger(LogWatch.class.getName());

    private final Path log;
    private final WatchService service;

    private LogWatch(Path log, WatchService service) {
        this.log = log;
        this.service = service;
    }

    /**
     * Watches {@code log} for new commit files.
     *
     * @throws UncheckedIOException if the directory cannot be watched (the follower then polls)
     */
    static LogWatch open(Path log) {
        WatchService service = null;
        try {
            service = FileSystems.getDefault().newWatchService();
            log.register(service, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            return new LogWatch(log, service);
        } catch (IOException e) {
            if (service != null) {
                try {
                    service.close();
                } catch (IOException close) {
                    e.addSuppressed(close);
                }
            }
            throw new UncheckedIOException("cannot watch " + log + " for new commits", e);
        }
    }

    @Override
    public void await(long version, Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            WatchKey key = service.poll(left, TimeUnit.NANOSECONDS);
            if (key == null) {
                return;
            }
            boolean woken = false;
            for (WatchEvent<?> e : key.pollEvents()) {
                woken |= e.kind() == StandardWatchEventKinds.OVERFLOW
                        || e.context() instanceof Path name && after(name, version);
            }
            if (!key.reset()) {
                // The directory is gone: the poll reports it; until then this waits like a plain sleep.
                Thread.sleep(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
                return;
            }
            if (woken) {
                return;
            }
        }
    }

    private static boolean after(Path name, long version) {
        Matcher m = DeltaSource.COMMIT_FILE.matcher(name.toString());
        return m.matches() && Long.parseLong(m.group(1)) > version;
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot close the watch on " + log + ": " + e);
        }
    }
}
