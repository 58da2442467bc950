/** Larder's tables and ingest as Micrometer meters ({@code LarderMeterBinder}). */
module dev.larder.micrometer {
    // The facade (an automatic module: see facade/pom.xml), whose Larder the binder binds.
    requires transitive dev.larder;
    // The table events and metrics beneath it, exported to Larder's own modules only.
    requires dev.larder.ingest;
    requires transitive micrometer.core;

    exports dev.larder.micrometer;
}
