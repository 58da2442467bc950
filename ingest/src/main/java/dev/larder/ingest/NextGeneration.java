package dev.larder.ingest;

import dev.larder.store.FeatureSchema;
import dev.larder.store.FeatureStore;
import dev.larder.store.FeatureTable;
import dev.larder.store.Generations;
import dev.larder.store.Lineage;
import dev.larder.store.TableOptions;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Creates the next generation of a table ({@code name.gN}) beside its others, bootstraps it through the ring, and
 * makes it current once it is complete and durable, then drops the others: the one mechanism behind a follower's
 * re-bootstrap (history gone, columns added) and {@code rebuild} (damaged files). Stateless; runs on the caller's
 * thread (the table's one producer), the engine's writer thread applying the rows.
 *
 * <p>Live (a followed table): readers keep the current generation until the writer swaps the handle to the new one
 * (a SWAP event: sync the new one, point the handle at it, retire the old one). Offline (a table open nowhere): the
 * new generation is the table's newest with a watermark, so it is current as soon as its version is durable, and a
 * crash before the old ones are dropped leaves it current. Either way a failure before the new generation is complete
 * discards it and leaves the others exactly as they were.
 */
final class NextGeneration {
    private NextGeneration() {
    }

    /**
     * Bootstraps the next generation of {@code handle}'s table with {@code bootstrap} (one version into the sink it is
     * given, through {@code sink}); returns what {@code bootstrap} returns.
     *
     * @param live whether {@code handle} serves readers now (its current generation is swapped out); otherwise no
     *             generation of the table may be open, here or in another process
     */
    static long bootstrap(LarderEngine larder, TableHandle handle, boolean live, RingSink sink, FeatureSchema schema,
                          TableOptions options, Lineage origin, ToLongFunction<ChangeSink> bootstrap) {
        FeatureStore store = larder.store();
        IngestPipeline pipeline = larder.pipeline();
        String name = handle.name();
        List<Long> old = store.generations(name);
        if (!live) {
            for (long g : old) {
                store.checkNotOpen(Generations.name(name, g));
            }
        }
        FeatureTable t = store.createGeneration(name, old.isEmpty() ? 0 : old.get(old.size() - 1) + 1, schema, options,
                origin);
        TableSlot next = new TableSlot(handle, t, origin.withVersion(-1, 0));
        long result;
        try {
            sink.open(next, -1, false);
            result = bootstrap.applyAsLong(sink);
            sink.checkComplete();
            sink.settle();
            if (live) {
                sink.await(pipeline.control(IngestEvent.SWAP, handle.slot(), next));
            } else {
                // A one-shot sink made the version durable at its end.
                sink.await(pipeline.control(IngestEvent.RETIRE, next, null));
                store.close(t.name());
            }
        } catch (RuntimeException | Error e) {
            // Never visible to readers: dropped as it is (closing would write again, and fail again on a full disk).
            try {
                sink.await(pipeline.control(IngestEvent.RETIRE, next, null));
                store.discard(t.name());
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
        for (long g : old) {
            String dir = Generations.name(name, g);
            store.close(dir);
            store.drop(dir);
        }
        return result;
    }
}
