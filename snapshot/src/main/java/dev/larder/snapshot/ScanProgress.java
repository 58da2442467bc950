package dev.larder.snapshot;

/** Told after each data file of a scan is fully delivered, on the scanning thread. */
@FunctionalInterface
public interface ScanProgress {
    ScanProgress NONE = (rows, files) -> { };

    /**
     * @param rowsDelivered rows delivered so far
     * @param filesDone data files finished so far
     */
    void onProgress(long rowsDelivered, long filesDone);
}
