package dev.larder;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The process {@link ServeLogCrashTest} kills: serves vectors of a pushed table (key k has x = k / 2) with a logged
 * vector committing every 20 vectors, request id i for key i % 10, until it is killed or a minute has passed.
 */
public final class ServeLogChild {
    private ServeLogChild() {
    }

    static Larder open(Path store, Path log) {
        Schema schema = Schema.builder().keyColumn("id", ColumnType.INT64).column("x", ColumnType.FLOAT64).build();
        Larder larder = Larder.builder(store).push("t", schema, Duration.ZERO).vector("v", Feature.of("t.x", -1))
                .log("v", ServeLog.to(log.toString()).rollRows(20).rollEvery(Duration.ofMillis(20))).open();
        if (larder.table("t").lineage().version() == 1) {
            // Reopened after the kill: the store kept the table.
            return larder;
        }
        Pusher pusher = larder.table("t").newPusher();
        for (int k = 0; k < 8; k++) {
            pusher.row().setLong(0, k).setDouble(1, k / 2.0);
            pusher.upsert(1, 1_000);
        }
        pusher.endVersion(1, 1_000);
        larder.flush();
        return larder;
    }

    /** Serves request ids from {@code args[2]} on, with the store in {@code args[0]} and the log at {@code args[1]}. */
    public static void main(String[] args) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        try (Larder larder = open(Path.of(args[0]), Path.of(args[1]))) {
            Vector.Filler filler = larder.vector("v").newFiller();
            double[] out = new double[1];
            for (long id = Long.parseLong(args[2]); System.nanoTime() < deadline; id++) {
                filler.requestId(id).fill(id % 10, out, null);
                if (id % 50 == 0) {
                    Thread.sleep(1);
                }
            }
        }
    }
}
