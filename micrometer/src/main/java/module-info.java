/** Larder's tables and ingest as Micrometer meters ({@code LarderMeterBinder}). */
module dev.larder.micrometer {
    requires transitive dev.larder.ingest;
    requires transitive micrometer.core;

    exports dev.larder.micrometer;
}
