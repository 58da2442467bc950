package dev.larder.cli;

import dev.larder.snapshot.ScanProgress;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A console progress bar for long loads (rows, files, rows/s), on stderr so stdout stays machine-readable. */
final class Progress implements ScanProgress, AutoCloseable {
    private final ProgressBar bar;

    Progress(String task, long expectedRows) {
        this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(expectedRows)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" rows", 1).showSpeed().continuousUpdate()
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)).build();
    }

    @Override
    public void onProgress(long rowsDelivered, long filesDone) {
        bar.stepTo(rowsDelivered);
        bar.setExtraMessage(filesDone + " files");
    }

    @Override
    public void close() {
        bar.close();
    }
}
