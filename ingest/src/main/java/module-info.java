/**
 * Larder's engine: the single-writer ring every change of a table passes through, followers of change feeds, and the
 * push API for application rows. Applications use the facade ({@code dev.larder}); the engine's package is exported
 * only to Larder's own modules that build on it (automatic ones by their Automatic-Module-Name), so an application
 * module reaches it neither at compile time nor by reflection.
 */
module dev.larder.ingest {
    requires transitive dev.larder.store;
    // IngestOptions takes a Disruptor WaitStrategy.
    requires transitive com.lmax.disruptor;
    requires java.management;

    exports dev.larder.ingest to
            dev.larder,
            dev.larder.snapshot,
            dev.larder.kafka,
            dev.larder.cloud,
            dev.larder.cli,
            dev.larder.micrometer;
}
