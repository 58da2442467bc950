package dev.larder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeltaSource#scan(long, int, java.util.function.Supplier, ScanProgress)}: a snapshot's files read on several
 * threads, each into a consumer of its own, deliver exactly the rows of the one-thread scan; a consumer's failure stops
 * the others and is thrown as it was.
 */
class ParallelScanTest {
    @TempDir
    static Path dir;

    private static DeltaSource source;

    @BeforeAll
    static void generate() throws IOException {
        Path table = dir.resolve("t");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(12_000).numericFeatures(4).float32Features(0)
                .stringFeatures(1).commits(1).updatesPerCommit(100).deletesPerCommit(30).insertsPerCommit(40)
                .rowsPerFile(1_000).seed(3).build(), table);
        source = DeltaSource.open(table.toString());
    }

    /** Each row as its key and first feature, in one string. */
    private static String render(DeltaRow r) {
        return r.getLong(0) + "=" + r.getDouble(1);
    }

    @Test
    void severalThreadsDeliverTheRowsOfOneThreadEachToItsOwnConsumer() {
        long version = source.latestVersion();
        List<String> expected = new ArrayList<>();
        long rows = source.scan(version, r -> expected.add(render(r)));

        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        Set<Thread> consumerThreads = ConcurrentHashMap.newKeySet();
        long[] progressRows = {0};
        long parallelRows = source.scan(version, 3, () -> {
            Thread owner = Thread.currentThread();
            assertTrue(consumerThreads.add(owner), "one consumer per thread");
            return r -> {
                assertSame(owner, Thread.currentThread(), "a consumer is called on the thread it was made for");
                seen.add(render(r));
            };
        }, (delivered, files) -> progressRows[0] = Math.max(progressRows[0], delivered));

        assertEquals(rows, parallelRows);
        assertEquals(rows, progressRows[0], "progress counts every thread's rows");
        assertEquals(new HashSet<>(expected), new HashSet<>(seen));
        assertEquals(expected.size(), seen.size(), "no row delivered twice");
        assertTrue(consumerThreads.size() > 1, "the files were read on several threads: " + consumerThreads);
    }

    @Test
    void aConsumersFailureStopsTheOtherThreadsAndIsThrownAsItWas() {
        long version = source.latestVersion();
        IllegalStateException bad = new IllegalStateException("bad row");
        Set<Thread> consumerThreads = ConcurrentHashMap.newKeySet();
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> source.scan(version, 3, () -> {
            consumerThreads.add(Thread.currentThread());
            return r -> {
                if (r.getLong(0) == 4_321) {
                    throw bad;
                }
            };
        }, ScanProgress.NONE));
        assertSame(bad, thrown);
        for (Thread t : consumerThreads) {
            assertTrue(t == Thread.currentThread() || !t.isAlive(), "every scanning thread has stopped: " + t);
        }
    }

    @Test
    void noMoreThreadsDecodeAtOnceThanTheHeapHoldsTheirFiles() {
        long heap = Runtime.getRuntime().maxMemory();
        long twoFit = heap / (2 * ParallelScan.HEAP_PER_FILE_BYTE);
        assertEquals(2, ParallelScan.threadsTheHeapHolds(List.of(file(1_000), file(twoFit), file(10))));
        assertEquals(1, ParallelScan.threadsTheHeapHolds(List.of(file(heap))), "a file too big still gets one thread");
        assertTrue(ParallelScan.threadsTheHeapHolds(List.of(file(-1), file(1_000))) > 4, "small files limit nothing");
    }

    private static FileAction file(long size) {
        return new FileAction("part-" + size + ".parquet", null, size, true, null);
    }
}
