package dev.larder.jmh;

import dev.larder.jmh.systems.BackgroundWriter;
import dev.larder.jmh.systems.KvSystem;
import dev.larder.jmh.systems.Systems;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Benchmark-scoped fixture of the single-key get benchmarks: one system loaded with the {@link Dataset} outside the
 * measurement, and, when {@code writesPerSecond > 0}, a {@link BackgroundWriter} updating it during the whole trial.
 */
@State(Scope.Benchmark)
public abstract class GetFixture {
    @Param("1000000")
    public int keys;

    /** 0 = read-only; DESIGN.md's bar is measured with 100k upserts/s. */
    @Param({"0", "100000"})
    public long writesPerSecond;

    KvSystem system;
    private BackgroundWriter writer;
    private Path dir;

    protected abstract String systemName();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("larder-jmh-" + systemName());
        system = Systems.create(systemName(), dir);
        system.load(keys);
        if (writesPerSecond > 0) {
            writer = BackgroundWriter.start(system.newUpdater(), keys, writesPerSecond);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try {
            if (writer != null) {
                writer.close();
                System.out.printf("%n[%s] background writer achieved %.0f updates/s%n", systemName(),
                        writer.achievedPerSecond());
            }
        } finally {
            system.close();
            deleteTree(dir);
        }
    }

    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
