package dev.larder;

import dev.larder.cloud.CloudSettings;
import dev.larder.cloud.UnityCatalog;
import dev.larder.snapshot.DeltaSource;
import java.util.Map;

/**
 * The calls into the optional larder-cloud jar, in one class so that nothing else links against it: without the jar,
 * local tables still open and a Unity Catalog source says which dependency it needs. Stateless.
 */
final class Cloud {
    private static final boolean AVAILABLE = present();

    private Cloud() {
    }

    private static boolean present() {
        try {
            Class.forName("dev.larder.cloud.UnityCatalog", false, Cloud.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    static boolean available() {
        return AVAILABLE;
    }

    /**
     * A path or URI, with the AWS environment added under {@code settings} (credentials, region, profile) when the
     * larder-cloud jar is present; without it, {@code settings} alone.
     */
    static DeltaSource openPath(String path, Map<String, String> settings) {
        return DeltaSource.open(path, AVAILABLE ? CloudSettings.hadoopSettings(settings) : settings);
    }

    /** {@code settings} with the AWS environment added (credentials, region, profile), for a file system client. */
    static Map<String, String> hadoopSettings(Map<String, String> settings) {
        return CloudSettings.hadoopSettings(settings);
    }

    static DeltaSource openCatalogTable(Larder.Catalog catalog, String name, Map<String, String> settings) {
        if (!AVAILABLE) {
            throw new IllegalStateException("Unity Catalog table " + name
                    + " needs dev.larder:larder-cloud on the class path");
        }
        UnityCatalog uc = catalog == null ? UnityCatalog.fromEnvironment()
                : UnityCatalog.fromEnvironment(catalog.uri(), catalog.tokenEnv());
        return uc.open(name, settings);
    }
}
