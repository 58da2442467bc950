package dev.larder.stress;

import dev.larder.ingest.FollowOptions;
import dev.larder.ingest.Follower;
import dev.larder.ingest.IngestOptions;
import dev.larder.ingest.LarderEngine;
import dev.larder.ingest.LiveReader;
import dev.larder.ingest.SyncPolicy;
import dev.larder.ingest.TableStatus;
import dev.larder.snapshot.DeltaChangeSource;
import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ScanProgress;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import dev.larder.store.TableReader;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process {@link CrashSuiteTest} kills: follows a generated Delta table into a store while a reader thread checks
 * every row it gets against the generator's spec, and reports on stdout, one line each, what it opened
 * ({@code OPENED <table> recovered=<b> wm=<v>}), {@code READY gen=<dir>} once following, every change of phase
 * ({@code PHASE startup|bootstrap|growth|metadata|commit|idle wm=<v>}), read counts ({@code READS <checked> bad <n>})
 * and bad rows ({@code BAD ...}). With {@code untilVersion >= 0} it stops cleanly once its watermark reaches that
 * version and prints {@code CLEAN wm=<v>}; otherwise it runs until killed, or until its stdin closes (the parent is
 * gone).
 *
 * <p>Arguments: delta table path, store directory, {@link #specArgument spec}, untilVersion.
 */
public final class CrashChild {
    static final String TABLE = "features";

    private CrashChild() {
    }

    /** The spec as one argument; the generator's own property form is not public. */
    static String specArgument(GeneratorSpec s) {
        return s.rows() + "," + s.numericFeatures() + "," + s.float32Features() + "," + s.stringFeatures() + ","
                + s.updatesPerCommit() + "," + s.deletesPerCommit() + "," + s.insertsPerCommit() + "," + s.rowsPerFile()
                + "," + s.seed();
    }

    static GeneratorSpec parseSpec(String arg) {
        String[] f = arg.split(",");
        return GeneratorSpec.builder().rows(Long.parseLong(f[0])).numericFeatures(Integer.parseInt(f[1]))
                .float32Features(Integer.parseInt(f[2])).stringFeatures(Integer.parseInt(f[3])).commits(0)
                .updatesPerCommit(Integer.parseInt(f[4])).deletesPerCommit(Integer.parseInt(f[5]))
                .insertsPerCommit(Integer.parseInt(f[6])).rowsPerFile(Integer.parseInt(f[7]))
                .seed(Long.parseLong(f[8])).build();
    }

    static FollowOptions followOptions() {
        // Small initial size so bootstraps (and larger commits) grow the rows file and rebuild the index.
        return FollowOptions.DEFAULT.withPollInterval(Duration.ofMillis(20))
                .withRetry(Duration.ofMillis(50), Duration.ofSeconds(1))
                .withTableOptions(TableOptions.DEFAULT.withInitialRows(1024));
    }

    public static void main(String[] args) throws Exception {
        Path delta = Path.of(args[0]);
        Path storeDir = Path.of(args[1]);
        GeneratorSpec spec = parseSpec(args[2]);
        long until = Long.parseLong(args[3]);
        exitWhenParentGoes();
        FeatureStore store = FeatureStore.open(storeDir);
        for (String name : store.tableNames()) {
            FeatureTable t = store.table(name);
            say("OPENED " + name + " recovered=" + t.recoveredOnOpen() + " wm=" + t.lineage().version());
        }
        // Every version synced (metadata rewritten) on completion: the most metadata writes for kills to land in.
        LarderEngine larder = LarderEngine.open(store,
                IngestOptions.DEFAULT.withSyncPolicy(SyncPolicy.EVERY_VERSION).withJmx(false));
        DeltaSource src = DeltaSource.open(delta.toString());
        Follower follower = larder.follow(TABLE,
                new DeltaChangeSource(src, List.of(GeneratorSpec.KEY_COLUMN), 16, ScanProgress.NONE),
                followOptions());
        say("READY gen=" + follower.status().generation());
        RowChecker checker = new RowChecker(spec, new LiveReader(follower.handle()));
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> checker.run(stop), "crash-child-reader");
        reader.start();
        String phase = "";
        long lastShape = -1;
        long lastReport = 0;
        while (true) {
            TableStatus st = follower.status();
            checker.keyBound = spec.rows()
                    + (long) spec.insertsPerCommit() * (Math.max(0, st.latestSourceVersion()) + 2);
            Path gen = storeDir.resolve(st.generation());
            long shape = shape(gen);
            String now;
            if (Files.exists(gen.resolve("table.properties.tmp"))) {
                now = "metadata";
            } else if (lastShape >= 0 && shape != lastShape) {
                now = "growth";
            } else if (st.state() == TableStatus.State.BOOTSTRAPPING) {
                now = "bootstrap";
            } else if (st.latestSourceVersion() < 0) {
                now = "startup";
            } else if (st.lagVersions() > 0) {
                now = "commit";
            } else {
                now = "idle";
            }
            lastShape = shape;
            if (!now.equals(phase)) {
                phase = now;
                say("PHASE " + now + " wm=" + st.watermarkVersion());
            }
            long t = System.nanoTime();
            if (t - lastReport > 200_000_000L) {
                lastReport = t;
                checker.report();
            }
            if (until >= 0 && st.watermarkVersion() >= until && st.state() == TableStatus.State.FOLLOWING) {
                stop.set(true);
                reader.join();
                checker.report();
                larder.close();
                long wm = store.table(st.generation()).lineage().version();
                store.close();
                say("CLEAN wm=" + wm);
                System.exit(0);
            }
            Thread.sleep(1);
        }
    }

    /** Changes whenever the rows file grows or the index is rebuilt into a new generation file. */
    private static long shape(Path gen) {
        long h;
        try {
            h = Files.size(gen.resolve("rows.dat"));
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(gen, "index-*.dat")) {
                for (Path p : ds) {
                    h = h * 31 + p.getFileName().toString().hashCode();
                }
            }
        } catch (IOException e) {
            // Mid-creation or mid-drop of a generation: no shape yet.
            return -1;
        }
        return h;
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void exitWhenParentGoes() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Nothing is sent; only end of stream matters.
                }
            } catch (IOException ignored) {
                // Treated like end of stream.
            }
            Runtime.getRuntime().halt(3);
        }, "crash-child-stdin");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Reads random keys through a {@link LiveReader} and checks that every row found is one the generator wrote: all
     * features equal the spec's values for that key at one write version no later than the row's version (a torn or
     * mixed row matches none), and that a key's version never goes backwards.
     */
    static final class RowChecker {
        private final GeneratorSpec spec;
        private final LiveReader live;
        private final long[] lastVersion = new long[1 << 21];
        private final AtomicLong checked = new AtomicLong();
        private final AtomicLong bad = new AtomicLong();
        volatile long keyBound;

        RowChecker(GeneratorSpec spec, LiveReader live) {
            this.spec = spec;
            this.live = live;
            this.keyBound = spec.rows();
        }

        void report() {
            say("READS " + checked.get() + " bad " + bad.get());
        }

        void run(AtomicBoolean stop) {
            SplittableRandom rnd = new SplittableRandom();
            long n = 0;
            while (!stop.get()) {
                long key = rnd.nextLong(Math.max(1, keyBound));
                if (live.get(key) != ReadStatus.FOUND) {
                    continue;
                }
                String problem = check(live.row(), key);
                if (problem != null && bad.incrementAndGet() <= 5) {
                    say("BAD key=" + key + " " + problem);
                }
                if ((++n & 1023) == 0) {
                    checked.addAndGet(1024);
                }
            }
            checked.addAndGet(n & 1023);
        }

        private String check(TableReader r, long key) {
            long version = r.version();
            if (r.getLong(r.schema().indexOf(GeneratorSpec.KEY_COLUMN)) != key) {
                return "holds key " + r.getLong(0);
            }
            if (key < lastVersion.length) {
                if (version < lastVersion[(int) key]) {
                    return "version went back from " + lastVersion[(int) key] + " to " + version;
                }
                lastVersion[(int) key] = version;
            }
            for (long w = version; w >= 0; w--) {
                if (matches(r, key, w)) {
                    return null;
                }
            }
            return "at version " + version + " matches no write of the spec";
        }

        private boolean matches(TableReader r, long key, long w) {
            for (int f = 0; f < spec.numericFeatures(); f++) {
                int c = r.schema().indexOf(GeneratorSpec.numericColumn(f));
                double got = spec.isFloat32(f) ? r.getFloat(c) : r.getDouble(c);
                if (r.isNull(c) || Double.doubleToRawLongBits(got)
                        != Double.doubleToRawLongBits(spec.numericValue(key, f, w))) {
                    return false;
                }
            }
            for (int s = 0; s < spec.stringFeatures(); s++) {
                int c = r.schema().indexOf(GeneratorSpec.stringColumn(s));
                if (r.isNull(c) || !Objects.equals(r.getString(c), spec.stringValue(key, s, w))) {
                    return false;
                }
            }
            return true;
        }
    }
}
