package dev.larder.jmh.harness;

import dev.larder.jmh.systems.BackgroundWriter;
import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.SystemUnavailableException;
import dev.larder.jmh.systems.Systems;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Child-JVM side of {@link BenchHarness}: measures ONE system, so that each gets a fresh JVM (no heap, JIT or page
 * cache state left over from another system) and only Chronicle's JVM gets Chronicle's flags. Writes
 * {@code <system>.hlog} (the latency histogram) and {@code <system>.result} (status, reason, counters) to the output
 * directory; an unavailable or failing system still gets a result file naming the reason.
 */
public final class HarnessWorker {
    static final String RESULT_SUFFIX = ".result";
    static final String HLOG_SUFFIX = ".hlog";

    private HarnessWorker() {
    }

    /** Arguments: system keys rate writeRate readers warmupSeconds durationSeconds outDir. */
    public static void main(String[] args) throws IOException {
        if (args.length != 8) {
            throw new IllegalArgumentException(
                    "usage: HarnessWorker system keys rate writeRate readers warmupSeconds durationSeconds outDir");
        }
        String system = args[0];
        int keys = Integer.parseInt(args[1]);
        long rate = Long.parseLong(args[2]);
        long writeRate = Long.parseLong(args[3]);
        int readers = Integer.parseInt(args[4]);
        int warmup = Integer.parseInt(args[5]);
        int duration = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]);
        Properties result = new Properties();
        result.setProperty("system", system);
        result.setProperty("jvm", System.getProperty("java.vm.name") + " " + Runtime.version());
        Path work = Files.createTempDirectory("larder-bench-" + system);
        try {
            measure(system, keys, rate, writeRate, readers, warmup, duration, work, out, result);
        } catch (SystemUnavailableException e) {
            result.setProperty("status", "unavailable");
            result.setProperty("reason", e.getMessage());
            e.printStackTrace();
        } catch (Throwable t) {
            result.setProperty("status", "failed");
            result.setProperty("reason", t.toString());
            t.printStackTrace();
        } finally {
            deleteTree(work);
        }
        Path tmp = out.resolve(system + RESULT_SUFFIX + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            result.store(os, "larder bench result");
        }
        Files.move(tmp, out.resolve(system + RESULT_SUFFIX), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
        // Chronicle and Jedis leave non-daemon threads behind; the result is written, so end the JVM now.
        System.exit(0);
    }

    private static void measure(String system, int keys, long rate, long writeRate, int readers, int warmup,
                                int duration, Path work, Path out, Properties result) throws Exception {
        try (KvSystem s = Systems.create(system, work)) {
            long t0 = System.nanoTime();
            s.load(keys);
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%s: loaded %d keys in %.1f s%n", system, keys, loadSeconds);
            result.setProperty("loadSeconds", String.format(java.util.Locale.ROOT, "%.2f", loadSeconds));
            result.setProperty("detail", s.detail());

            result.setProperty("loadBefore", loadAverage());
            BackgroundWriter writer = writeRate > 0 ? BackgroundWriter.start(s.newUpdater(), keys, writeRate) : null;
            Histogram total = LoadGenerator.newHistogram();
            long issued = 0;
            long misses = 0;
            double sink = 0;
            long measureStart;
            long measureEnd;
            try {
                List<Thread> threads = new ArrayList<>();
                Histogram[] hs = new Histogram[readers];
                long[] counts = new long[readers];
                long[] missCounts = new long[readers];
                double[] sinks = new double[readers];
                Throwable[] failures = new Throwable[readers];
                // Readers start together a little in the future, staggered by a fraction of the interval so that
                // their schedules interleave instead of firing in bursts.
                long interval = Math.max(1, Math.round(1e9 * readers / rate));
                long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
                long warmupNanos = TimeUnit.SECONDS.toNanos(warmup);
                long durationNanos = TimeUnit.SECONDS.toNanos(duration);
                measureStart = start + warmupNanos;
                measureEnd = measureStart + durationNanos;
                for (int r = 0; r < readers; r++) {
                    int id = r;
                    Thread th = new Thread(() -> {
                        try {
                            LoadGenerator g = new LoadGenerator(s.newReader(), keys, (double) rate / readers,
                                    0x1234567L + id);
                            long offset = interval * id / readers;
                            g.run(start + offset, warmupNanos, null);
                            hs[id] = LoadGenerator.newHistogram();
                            counts[id] = g.run(start + warmupNanos + offset, durationNanos, hs[id]);
                            missCounts[id] = g.misses();
                            sinks[id] = g.sink();
                        } catch (Throwable t) {
                            failures[id] = t;
                        }
                    }, "bench-reader-" + r);
                    threads.add(th);
                    th.start();
                }
                for (Thread th : threads) {
                    th.join();
                }
                for (int r = 0; r < readers; r++) {
                    if (failures[r] != null) {
                        throw new IllegalStateException("reader " + r + " failed", failures[r]);
                    }
                    total.add(hs[r]);
                    issued += counts[r];
                    misses += missCounts[r];
                    sink += sinks[r];
                }
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
            result.setProperty("loadAfter", loadAverage());
            if (writer != null) {
                result.setProperty("writesPerSecond",
                        String.format(java.util.Locale.ROOT, "%.0f", writer.achievedPerSecond()));
            }
            total.setStartTimeStamp(TimeUnit.NANOSECONDS.toMillis(measureStart - System.nanoTime())
                    + System.currentTimeMillis());
            total.setEndTimeStamp(total.getStartTimeStamp() + TimeUnit.NANOSECONDS.toMillis(measureEnd - measureStart));
            try (PrintStream ps = new PrintStream(Files.newOutputStream(out.resolve(system + HLOG_SUFFIX)))) {
                HistogramLogWriter w = new HistogramLogWriter(ps);
                w.outputLogFormatVersion();
                w.outputComment("larder bench: " + system + ", latency in ns from intended start");
                w.outputLegend();
                w.outputIntervalHistogram(total);
            }
            result.setProperty("status", "ok");
            result.setProperty("samples", Long.toString(issued));
            result.setProperty("misses", Long.toString(misses));
            result.setProperty("checksum", Double.toString(sink));
            System.out.printf("%s: %d reads, p50 %d ns, p99 %d ns, max %d ns%n", system, issued,
                    total.getValueAtPercentile(50), total.getValueAtPercentile(99), total.getMaxValue());
        }
    }

    /** 1-minute load average, so a report shows when other work on the machine competed with the measurement. */
    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
