/**
 * Larder's ingest: the single-writer ring every change of a table passes through, followers of change feeds, and the
 * push API for application rows.
 */
module dev.larder.ingest {
    requires transitive dev.larder.store;
    // IngestOptions takes a Disruptor WaitStrategy.
    requires transitive com.lmax.disruptor;
    requires java.management;

    exports dev.larder.ingest;
}
