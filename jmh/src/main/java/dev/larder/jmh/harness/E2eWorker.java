package dev.larder.jmh.harness;

import com.sun.management.ThreadMXBean;
import dev.larder.jmh.KeySequence;
import dev.larder.jmh.e2e.E2eData;
import dev.larder.jmh.e2e.FeatureSource;
import dev.larder.jmh.e2e.FeatureSources;
import dev.larder.jmh.e2e.ScoringModel;
import dev.larder.jmh.systems.BackgroundWriter;
import dev.larder.jmh.systems.SystemUnavailableException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * Child-JVM side of the end-to-end scenario, for ONE feature source: loads {@link E2eData}, trains the
 * {@link ScoringModel}, then serves two request kinds in turn, each open loop at a fixed rate with latency measured
 * from the request's intended start (coordinated-omission corrected, as {@link LoadGenerator} does): {@code single}
 * (one entity's 40 features from three tables, one prediction) and {@code ranking} ({@value E2eData#CANDIDATES}
 * candidates fetched as a batch, one prediction over all of them), while a {@link BackgroundWriter} rewrites entities
 * at the configured rate (0: none). Writes {@code e2e-<source>-<kind>.hlog} and
 * {@code .result} per kind; an unavailable or failing source still gets result files naming the reason.
 */
public final class E2eWorker {
    /** The request kinds, in the order they run and {@code summary.json} lists them. */
    static final String[] KINDS = {"single", "ranking"};
    /**
     * Result keys of the fetch's own time (ns, from the fetch's actual start to its end: a service time, not
     * coordinated-omission corrected), which shows the source's cost apart from the model's and from queueing.
     */
    static final String FETCH_P50 = "fetchP50";
    static final String FETCH_P99 = "fetchP99";
    static final String FETCH_P999 = "fetchP999";
    /**
     * Result key of the heap bytes the request thread allocated per measured request (the histograms' recording
     * included, which allocates nothing once sized); the array baseline's figure is the model call's own.
     */
    static final String BYTES_PER_REQUEST = "bytesPerRequest";
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    private E2eWorker() {
    }

    /** The file stem of one source's figures for one request kind. */
    static String stem(String source, String kind) {
        return "e2e-" + source + "-" + kind;
    }

    /** Arguments: source keys singleRate rankingRate writeRate warmupSeconds durationSeconds outDir. */
    public static void main(String[] args) throws IOException {
        if (args.length != 8) {
            throw new IllegalArgumentException("usage: E2eWorker source keys singleRate rankingRate writeRate"
                    + " warmupSeconds durationSeconds outDir");
        }
        String source = args[0];
        int keys = Integer.parseInt(args[1]);
        long[] rates = {Long.parseLong(args[2]), Long.parseLong(args[3])};
        long writeRate = Long.parseLong(args[4]);
        int warmup = Integer.parseInt(args[5]);
        int duration = Integer.parseInt(args[6]);
        Path out = Path.of(args[7]);
        Properties[] results = new Properties[KINDS.length];
        for (int k = 0; k < KINDS.length; k++) {
            results[k] = new Properties();
            results[k].setProperty("system", stem(source, KINDS[k]));
            results[k].setProperty("jvm", System.getProperty("java.vm.name") + " " + Runtime.version());
        }
        Path work = Files.createTempDirectory("larder-e2e-" + source);
        try {
            measure(source, keys, rates, writeRate, warmup, duration, work, out, results);
        } catch (SystemUnavailableException e) {
            fail(results, "unavailable", e.getMessage());
            e.printStackTrace();
        } catch (Throwable t) {
            fail(results, "failed", t.toString());
            t.printStackTrace();
        } finally {
            HarnessWorker.deleteTree(work);
        }
        for (int k = 0; k < KINDS.length; k++) {
            String stem = stem(source, KINDS[k]);
            Path tmp = out.resolve(stem + HarnessWorker.RESULT_SUFFIX + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp)) {
                results[k].store(os, "larder bench e2e result");
            }
            Files.move(tmp, out.resolve(stem + HarnessWorker.RESULT_SUFFIX), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
        // Chronicle and Jedis leave non-daemon threads behind; the results are written, so end the JVM now.
        System.exit(0);
    }

    private static void fail(Properties[] results, String status, String reason) {
        for (Properties p : results) {
            p.setProperty("status", status);
            p.setProperty("reason", reason);
        }
    }

    private static void measure(String name, int keys, long[] rates, long writeRate, int warmup, int duration,
                                Path work, Path out, Properties[] results) throws IOException {
        try (FeatureSource source = FeatureSources.create(name, work); ScoringModel model = ScoringModel.train()) {
            long t0 = System.nanoTime();
            source.load(keys);
            String loadSeconds = String.format(Locale.ROOT, "%.2f", (System.nanoTime() - t0) / 1e9);
            System.out.printf("%s: loaded %d entities x %d features in %s s%n", name, keys, E2eData.FEATURES,
                    loadSeconds);
            for (Properties result : results) {
                result.setProperty("loadSeconds", loadSeconds);
                result.setProperty("detail", source.detail());
            }
            Request[] requests = {new Single(source.newFetcher(), model, keys),
                new Ranking(source.newFetcher(), model, keys)};
            BackgroundWriter writer = writeRate > 0
                    ? BackgroundWriter.start(source.newUpdater(), keys, writeRate) : null;
            try {
                serve(name, requests, rates, warmup, duration, out, results);
            } finally {
                if (writer != null) {
                    writer.close();
                }
            }
            for (Properties result : results) {
                result.setProperty("status", "ok");
                if (writer != null) {
                    result.setProperty("writesPerSecond",
                            String.format(Locale.ROOT, "%.0f", writer.achievedPerSecond()));
                }
            }
        }
    }

    /** Both request kinds in turn, each warmed up then measured, while the writer (if any) runs. */
    private static void serve(String name, Request[] requests, long[] rates, int warmup, int duration, Path out,
                              Properties[] results) throws IOException {
        for (int k = 0; k < KINDS.length; k++) {
            Properties result = results[k];
            result.setProperty("loadBefore", HarnessWorker.loadAverage());
            long interval = Math.max(1, Math.round(1e9 / rates[k]));
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            long warmupNanos = TimeUnit.SECONDS.toNanos(warmup);
            run(requests[k], start, warmupNanos, interval, null);
            Histogram h = LoadGenerator.newHistogram();
            requests[k].fetchTimes = LoadGenerator.newHistogram();
            long measureStart = start + warmupNanos;
            long allocatedBefore = THREADS.getCurrentThreadAllocatedBytes();
            long n = run(requests[k], measureStart, TimeUnit.SECONDS.toNanos(duration), interval, h);
            long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedBefore;
            result.setProperty(BYTES_PER_REQUEST, Long.toString(n == 0 ? 0 : allocated / n));
            Histogram fetch = requests[k].fetchTimes;
            result.setProperty(FETCH_P50, Long.toString(fetch.getValueAtPercentile(50)));
            result.setProperty(FETCH_P99, Long.toString(fetch.getValueAtPercentile(99)));
            result.setProperty(FETCH_P999, Long.toString(fetch.getValueAtPercentile(99.9)));
            result.setProperty("loadAfter", HarnessWorker.loadAverage());
            h.setStartTimeStamp(TimeUnit.NANOSECONDS.toMillis(measureStart - System.nanoTime())
                    + System.currentTimeMillis());
            h.setEndTimeStamp(h.getStartTimeStamp() + TimeUnit.SECONDS.toMillis(duration));
            String stem = stem(name, KINDS[k]);
            Path hlog = out.resolve(stem + HarnessWorker.HLOG_SUFFIX);
            try (PrintStream ps = new PrintStream(Files.newOutputStream(hlog))) {
                HistogramLogWriter w = new HistogramLogWriter(ps);
                w.outputLogFormatVersion();
                w.outputComment("larder bench e2e: " + stem + ", latency in ns from intended start");
                w.outputLegend();
                w.outputIntervalHistogram(h);
            }
            result.setProperty("samples", Long.toString(n));
            result.setProperty("misses", Long.toString(requests[k].misses));
            result.setProperty("checksum", Double.toString(requests[k].sink));
            System.out.printf("%s: %d requests, p50 %d ns, p99 %d ns, max %d ns%n", stem, n,
                    h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
        }
    }

    /**
     * Runs one request kind's schedule (request i due at {@code start + i * interval}) for {@code nanos}, recording
     * each latency from the intended start into {@code h} (null during warm-up); returns the requests issued. Spins
     * between requests, as {@link LoadGenerator} does.
     */
    private static long run(Request r, long start, long nanos, long interval, Histogram h) {
        long end = start + nanos;
        long n = 0;
        for (long intended = start; intended < end; intended = start + ++n * interval) {
            r.next();
            while (System.nanoTime() < intended) {
                Thread.onSpinWait();
            }
            r.serve();
            long latency = System.nanoTime() - intended;
            if (h != null) {
                h.recordValue(Math.min(latency, LoadGenerator.MAX_TRACKED_NANOS));
            }
        }
        return n;
    }

    /** One request kind: draws its entities ({@link #next}, outside the timed part), then fetches and scores them. */
    private abstract static class Request {
        final FeatureSource.Fetcher fetcher;
        final ScoringModel model;
        final KeySequence ids;
        /** Features not found: every entity is loaded, so anything but 0 means a broken source or benchmark. */
        long misses;
        /** Sum of the scores, kept so the JIT cannot drop the work. */
        double sink;
        /** Each fetch's own time while measuring (null during warm-up). */
        Histogram fetchTimes;

        Request(FeatureSource.Fetcher fetcher, ScoringModel model, int keys) {
            this.fetcher = fetcher;
            this.model = model;
            this.ids = new KeySequence(keys, 0x1234567L);
        }

        abstract void next();

        void fetched(long startNanos) {
            if (fetchTimes != null) {
                fetchTimes.recordValue(Math.min(System.nanoTime() - startNanos, LoadGenerator.MAX_TRACKED_NANOS));
            }
        }

        abstract void serve();
    }

    private static final class Single extends Request {
        private final float[] features = new float[E2eData.FEATURES];
        private final float[] score = new float[1];
        private long key;

        Single(FeatureSource.Fetcher fetcher, ScoringModel model, int keys) {
            super(fetcher, model, keys);
        }

        @Override
        void next() {
            key = ids.next();
        }

        @Override
        void serve() {
            long t0 = System.nanoTime();
            misses += E2eData.FEATURES - fetcher.fetch(key, features);
            fetched(t0);
            model.score(features, 1, score);
            sink += score[0];
        }
    }

    private static final class Ranking extends Request {
        private final long[] candidates = new long[E2eData.CANDIDATES];
        private final float[] features = new float[E2eData.CANDIDATES * E2eData.FEATURES];
        private final float[] scores = new float[E2eData.CANDIDATES];

        Ranking(FeatureSource.Fetcher fetcher, ScoringModel model, int keys) {
            super(fetcher, model, keys);
        }

        @Override
        void next() {
            for (int i = 0; i < candidates.length; i++) {
                candidates[i] = ids.next();
            }
        }

        @Override
        void serve() {
            long t0 = System.nanoTime();
            misses += (long) candidates.length * E2eData.FEATURES
                    - fetcher.fetchBatch(candidates, candidates.length, features);
            fetched(t0);
            model.score(features, candidates.length, scores);
            double best = 0;
            for (float s : scores) {
                best = Math.max(best, s);
            }
            sink += best;
        }
    }
}
