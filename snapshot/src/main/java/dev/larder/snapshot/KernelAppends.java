package dev.larder.snapshot;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Transaction;
import io.delta.kernel.data.ColumnarBatch;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stateless: the one way Larder writes rows into a Delta table through Kernel (the served-feature log, training sets):
 * a batch becomes Parquet files of an open transaction, whose add actions are collected for its commit.
 */
public final class KernelAppends {
    private KernelAppends() {
    }

    /**
     * Writes {@code batch} (logical columns, the partition column's included) as Parquet files in {@code partition}
     * (empty for an unpartitioned table) and adds their add actions to {@code actions}.
     *
     * @param txnState the transaction's state ({@code Transaction.getTransactionState})
     */
    public static void write(Engine engine, Row txnState, ColumnarBatch batch, Map<String, Literal> partition,
                             List<Row> actions) throws IOException {
        DataWriteContext context = Transaction.getWriteContext(engine, txnState, partition);
        FilteredColumnarBatch logical = new FilteredColumnarBatch(batch, Optional.empty());
        CloseableIterator<FilteredColumnarBatch> physical = Transaction.transformLogicalData(engine, txnState,
                KernelInternals.singleton(logical), partition);
        List<DataFileStatus> files;
        try (CloseableIterator<DataFileStatus> written = engine.getParquetHandler()
                .writeParquetFiles(context.getTargetDirectory(), physical, context.getStatisticsColumns())) {
            files = written.toInMemoryList();
        }
        try (CloseableIterator<Row> adds = Transaction.generateAppendActions(engine, txnState,
                KernelInternals.closeable(files.iterator()), context)) {
            adds.forEachRemaining(actions::add);
        }
    }
}
