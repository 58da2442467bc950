package dev.larder.snapshot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Thread-safe, shared by the threads of one snapshot scan ({@link DeltaSource#scan(long, int, Supplier,
 * ScanProgress)}), the caller's among them: files are handed out one at a time from an atomic counter, each thread
 * reads whole files into a consumer of its own, and the rows delivered and the first failure are guarded by the
 * scan's monitor.
 */
final class ParallelScan {
    private final DeltaSource source;
    private final FileRowReader reader;
    private final long version;
    private final List<FileAction> files;
    private final TableLayout layout;
    private final Supplier<RowConsumer> consumers;
    private final ScanProgress progress;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean stopped;
    /** Guarded by this: the rows and files delivered so far, and the first failure with the others suppressed. */
    private long rows;
    private long filesDone;
    private Throwable failure;

    private ParallelScan(DeltaSource source, FileRowReader reader, long version, List<FileAction> files,
                         TableLayout layout, Supplier<RowConsumer> consumers, ScanProgress progress) {
        this.source = source;
        this.reader = reader;
        this.version = version;
        this.files = files;
        this.layout = layout;
        this.consumers = consumers;
        this.progress = progress;
    }

    private void run() {
        try {
            source.io(() -> {
                RowConsumer consumer = consumers.get();
                FileRowReader.Sink sink = (row, changeTypes, rowId) -> {
                    if (stopped) {
                        throw new CancellationException("another thread of the scan failed");
                    }
                    consumer.accept(row);
                };
                for (int i; !stopped && (i = next.getAndIncrement()) < files.size(); ) {
                    FileAction add = files.get(i);
                    long n = reader.read(version, add, layout, null, reader.loadDv(version, add.dv()), false,
                            sink);
                    synchronized (this) {
                        rows += n;
                        progress.onProgress(rows, ++filesDone);
                    }
                }
                return null;
            });
        } catch (Throwable t) {
            synchronized (this) {
                if (failure == null) {
                    stopped = true;
                    failure = t;
                } else if (t != failure && !(t instanceof CancellationException)) {
                    // Lanes of a one-shot load rethrow the writer's own failure: one instance, seen by each.
                    failure.addSuppressed(t);
                }
            }
        }
    }

    private synchronized void throwFailure() {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * Scans {@code files} of {@code version} on up to {@code threads} threads (fewer when the heap would not hold them,
     * {@link #threadsTheHeapHolds}) and returns the rows delivered; a failure stops the other threads at their next row
     * and is thrown once every one has stopped.
     */
    static long run(DeltaSource source, FileRowReader reader, long version, List<FileAction> files, TableLayout layout,
                    int threads, Supplier<RowConsumer> consumers, ScanProgress progress) {
        ParallelScan scan = new ParallelScan(source, reader, version, files, layout, consumers, progress);
        int lanes = Math.min(Math.min(threads, files.size()), threadsTheHeapHolds(files));
        ReadAhead readAhead = readAhead(reader, version, files, scan.next, lanes);
        List<Thread> started = new ArrayList<>();
        try {
            if (readAhead != null) {
                Thread.ofPlatform().name("larder-scan-read-ahead").daemon().start(readAhead);
            }
            for (int i = 0; i < lanes - 1; i++) {
                started.add(Thread.ofPlatform().name("larder-scan-" + (i + 1)).daemon().start(scan::run));
            }
        } finally {
            try {
                scan.run();
            } finally {
                joinUninterruptibly(started);
                if (readAhead != null) {
                    readAhead.stop();
                }
            }
        }
        scan.throwFailure();
        return scan.rows;
    }

    /**
     * A read-ahead of the files after the ones being decoded, one per decoding thread, when the table is on the local
     * disk and has more files than threads; null otherwise (an object store's reads are overlapped by its stream).
     */
    private static ReadAhead readAhead(FileRowReader reader, long version, List<FileAction> files,
                                       AtomicInteger next, int lanes) {
        if (files.size() <= lanes) {
            return null;
        }
        List<Path> local = new ArrayList<>(files.size());
        for (FileAction f : files) {
            Path p = reader.localFile(version, f);
            if (p == null) {
                return null;
            }
            local.add(p);
        }
        return new ReadAhead(local, next, lanes);
    }

    /**
     * Decoding threads this JVM's heap holds at once: each holds a whole row group of its file (at most the file), and
     * reading one takes about {@link #HEAP_PER_FILE_BYTE} times its size in heap, so a heap sized for one thread's
     * reading (as README asks) never runs out because the scan went parallel. At least 1.
     */
    static int threadsTheHeapHolds(List<FileAction> files) {
        long largest = 1;
        for (FileAction f : files) {
            largest = Math.max(largest, f.size());
        }
        long fit = Runtime.getRuntime().maxMemory() / (HEAP_PER_FILE_BYTE * largest);
        return (int) Math.max(1, Math.min(fit, Integer.MAX_VALUE));
    }

    /**
     * Heap bytes a parquet reader needs per byte of the row group it holds (measured: 35 MB failed at -Xmx48m, read
     * at 80m).
     */
    static final long HEAP_PER_FILE_BYTE = 3;

    /**
     * Threads that cannot be abandoned half way (a scan's feed the caller's consumers; verify's store pass is bounded):
     * an interrupt waits for them and is kept.
     */
    static void joinUninterruptibly(List<Thread> threads) {
        boolean interrupted = false;
        for (Thread t : threads) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
