package dev.larder.cli;

import dev.larder.LoadProgress;
import dev.larder.snapshot.ScanProgress;
import java.util.concurrent.atomic.AtomicInteger;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar for long loads (rows, files, rows/s), on stderr so stdout stays machine-readable. */
final class Progress implements ScanProgress, AutoCloseable {
    /** Bars on stderr now: a line printed meanwhile must start a line of its own, not continue the bar's. */
    private static final AtomicInteger SHOWING = new AtomicInteger();
    private final ProgressBar bar;

    Progress(String task, long expectedRows) {
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(expectedRows)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed().continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
        SHOWING.incrementAndGet();
    }

    @Override
    public void onProgress(long rowsDelivered, long filesDone) {
        bar.stepTo(rowsDelivered);
        bar.setExtraMessage(filesDone + " files");
    }

    /** Whether a bar is on stderr, its line unfinished. */
    static boolean showing() {
        return SHOWING.get() > 0;
    }

    @Override
    public void close() {
        bar.close();
        SHOWING.decrementAndGet();
    }

    /**
     * The bar of a load or a follow's bootstrap, shown once the first rows are read (it names their version). Called
     * on the reading thread; closed by another, after which reports (a later re-bootstrap's) are ignored: both are
     * synchronized, so the close sees the bar the reading thread made.
     */
    static final class Bar implements LoadProgress, AutoCloseable {
        private final String task;
        private final long expectedRows;
        private Progress progress;
        private boolean closed;

        /** A bar named {@code task v<version>}; {@code expectedRows} -1 when unknown. */
        Bar(String task, long expectedRows) {
            this.task = task;
            this.expectedRows = expectedRows;
        }

        @Override
        public synchronized void onProgress(long version, long rowsDelivered, long filesDone) {
            if (closed) {
                return;
            }
            if (progress == null) {
                progress = new Progress(task + " v" + version, expectedRows);
            }
            progress.onProgress(rowsDelivered, filesDone);
        }

        @Override
        public synchronized void close() {
            closed = true;
            if (progress != null) {
                progress.close();
            }
        }
    }
}
