package dev.larder.jmh.harness;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * What one child JVM measured for one system: a histogram (latencies in ns), or the reason there is none.
 *
 * @param histogram null unless {@link #ok()}
 * @param reason    why the system has no figures (null when it has)
 */
record SystemResult(String system, Histogram histogram, String reason, Properties info) {

    boolean ok() {
        return histogram != null;
    }

    static SystemResult unavailable(String system, String reason) {
        return new SystemResult(system, null, reason, new Properties());
    }

    /**
     * Reads the files a {@link HarnessWorker} left in {@code dir}; a missing or partial set is a failure with its
     * reason.
     */
    static SystemResult read(String system, Path dir, String fallbackReason) throws IOException {
        Path resultFile = dir.resolve(system + HarnessWorker.RESULT_SUFFIX);
        if (!Files.exists(resultFile)) {
            return unavailable(system, fallbackReason);
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(resultFile)) {
            p.load(in);
        }
        if (!"ok".equals(p.getProperty("status"))) {
            String status = p.getProperty("status", "failed");
            String reason = p.getProperty("reason", "no reason given");
            return new SystemResult(system, null, "failed".equals(status) ? "failed: " + reason : reason, p);
        }
        HistogramLogReader reader = new HistogramLogReader(dir.resolve(system + HarnessWorker.HLOG_SUFFIX).toFile());
        Histogram h = (Histogram) reader.nextIntervalHistogram();
        if (h == null) {
            return new SystemResult(system, null, "failed: empty histogram log", p);
        }
        return new SystemResult(system, h, null, p);
    }
}
