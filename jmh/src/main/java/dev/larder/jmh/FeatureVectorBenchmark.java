package dev.larder.jmh;

import dev.larder.jmh.systems.LarderSystem;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.FeatureVector;
import dev.larder.store.FeatureVectorReader;
import dev.larder.store.ReadStatus;
import dev.larder.store.TableOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Feature-vector assembly for one entity across three tables sharing its key (user, item, context style):
 * {@code featuresPerTable} features from each (7: a float[21]; 14: a float[42], the "about 40 features" of the bar)
 * into a caller's array, one projected lookup per table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FeatureVectorBenchmark {
    static final int TABLES = 3;

    /** The three tables, loaded once per trial outside the measurement, and the vector over them. */
    @State(Scope.Benchmark)
    public static class Fixture {
        @Param("1000000")
        public int keys;

        @Param({"7", "14"})
        public int featuresPerTable;

        FeatureVector vector;
        private FeatureStore store;
        private Path dir;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            dir = Files.createTempDirectory("larder-jmh-vector");
            store = FeatureStore.open(dir);
            FeatureVector.Builder b = FeatureVector.builder();
            for (int t = 0; t < TABLES; t++) {
                FeatureTable table = store.create("t" + t, Dataset.schema(),
                        TableOptions.DEFAULT.withInitialRows(keys));
                LarderSystem.load(store, table, keys);
                for (int i = 0; i < featuresPerTable; i++) {
                    b.add(table, "f" + (i + t) % Dataset.FEATURES, -1.0);
                }
            }
            vector = b.build();
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException {
            store.close();
            GetFixture.deleteTree(dir);
        }
    }

    private FeatureVectorReader reader;
    private KeySequence keys;
    private float[] out;
    private ReadStatus[] status;

    @Setup
    public void setUp(Fixture f) {
        reader = f.vector.newReader();
        keys = new KeySequence(f.keys, Thread.currentThread().threadId());
        out = new float[f.vector.size()];
        status = new ReadStatus[f.vector.size()];
    }

    @Benchmark
    public void fill(Blackhole bh) {
        bh.consume(reader.fill(keys.next(), out, status));
        bh.consume(out);
    }
}
