package dev.larder.kafka;

import dev.larder.snapshot.ArrayColumnarBatch;
import dev.larder.snapshot.KernelAppends;
import dev.larder.snapshot.KernelInternals;
import dev.larder.snapshot.NonNullColumnVector;
import io.delta.kernel.Operation;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnVector;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampType;
import io.delta.kernel.utils.CloseableIterable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * A Delta table {@code (id bigint not null, value double, ts timestamp)} written with Delta Kernel, as a batch job
 * would: created empty (version 0), then one commit per {@link #append}. For the batch-and-Kafka tests; not
 * thread-safe. Public for the facade's tests of the same tables.
 */
public final class KernelTable {
    static final StructType SCHEMA = new StructType().add("id", LongType.LONG, false)
            .add("value", DoubleType.DOUBLE, false).add("ts", TimestampType.TIMESTAMP, false);

    /** A tombstone's record timestamp, {@link #tombstone}: 1,000,000 µs as the table's event time. */
    public static final long TOMBSTONE_MILLIS = 1000;

    private final Engine kernel = DefaultEngine.create(new Configuration());
    private final String path;

    /** Creates the table at directory {@code dir}. */
    public KernelTable(Path dir) {
        this.path = dir.toUri().toString();
        TableManager.buildCreateTableTransaction(path, SCHEMA, "larder-test").build(kernel)
                .commit(kernel, CloseableIterable.emptyIterable());
    }

    /** The table's {@code file:} URI. */
    public String path() {
        return path;
    }

    /** Appends rows {id, value, ts µs} as one commit. */
    public void append(long[]... rows) throws IOException {
        Transaction txn = TableManager.loadSnapshot(path).build(kernel)
                .buildUpdateTableTransaction("larder-test", Operation.WRITE).build(kernel);
        Row state = txn.getTransactionState(kernel);
        int n = rows.length;
        ColumnVector[] columns = {
            new NonNullColumnVector(LongType.LONG, n) {
                @Override
                public long getLong(int row) {
                    return rows[row][0];
                }
            },
            new NonNullColumnVector(DoubleType.DOUBLE, n) {
                @Override
                public double getDouble(int row) {
                    return rows[row][1];
                }
            },
            new NonNullColumnVector(TimestampType.TIMESTAMP, n) {
                @Override
                public long getLong(int row) {
                    return rows[row][2];
                }
            },
        };
        List<Row> actions = new ArrayList<>();
        KernelAppends.write(kernel, state, new ArrayColumnarBatch(SCHEMA, columns, n), Map.of(), actions);
        txn.commit(kernel, CloseableIterable.inMemoryIterable(KernelInternals.closeable(actions.iterator())));
    }

    /** Sends the update of key {@code id} to a row of this table's columns, on partition 0 of {@code topic}. */
    public static void send(KafkaProducer<String, String> p, String topic, long id, double value, long tsMicros)
            throws Exception {
        p.send(new ProducerRecord<>(topic, 0, Long.toString(id), "{\"value\": " + value + ", \"ts\": " + tsMicros
                + "}")).get();
    }

    /** Sends a tombstone of key {@code id}, timestamped {@link #TOMBSTONE_MILLIS}, on partition 0 of {@code topic}. */
    public static void tombstone(KafkaProducer<String, String> p, String topic, long id) throws Exception {
        p.send(new ProducerRecord<String, String>(topic, 0, TOMBSTONE_MILLIS, Long.toString(id), null)).get();
    }
}
