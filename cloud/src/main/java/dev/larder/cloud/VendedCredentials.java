package dev.larder.cloud;

import dev.larder.snapshot.DeltaSource;
import dev.larder.snapshot.ExpiredCredentialsException;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The temporary credentials of one Unity Catalog table, refreshed from the catalog before they expire; thread-safe
 * (reads are a volatile load; one thread refreshes at a time while the others keep the current credentials).
 *
 * <p>Filesystems find them through a JVM-wide registry keyed by catalog and table id ({@link #KEY} in their Hadoop
 * settings), since Hadoop builds credential providers by class name. Reopening a table replaces its entry. Each table's
 * reads run as a Hadoop user of their own ({@link DeltaSource#FILESYSTEM_OWNER_KEY}), so tables sharing a bucket never
 * share a filesystem, and so never each other's table-scoped credentials.
 */
public final class VendedCredentials {
    /** Hadoop setting naming the registry entry a filesystem's credential provider reads. */
    public static final String KEY = "larder.uc.credentials";
    private static final Logger LOG = Logger.getLogger(VendedCredentials.class.getName());
    private static final Map<String, VendedCredentials> REGISTRY = new ConcurrentHashMap<>();
    /**
     * After a failed refresh, how long the next one waits: meanwhile requests use the current credentials while they
     * are valid, and fail at once with the last failure once they are not, rather than calling the catalog each.
     */
    private static final long RETRY_MILLIS = 1000;

    private final UnityCatalog catalog;
    private final UnityCatalogTable table;
    private final String key;
    private volatile TemporaryCredentials current;
    private volatile long refreshAtMillis;
    private long nextAttemptMillis;
    private RuntimeException lastFailure;
    private volatile int refreshes;

    private VendedCredentials(UnityCatalog catalog, UnityCatalogTable table, TemporaryCredentials first) {
        this.catalog = catalog;
        this.table = table;
        this.key = catalog.uri() + "#" + table.tableId();
        install(first, System.currentTimeMillis());
    }

    /** Asks the catalog for the table's credentials (failing here if it cannot vend them) and registers them. */
    static VendedCredentials register(UnityCatalog catalog, UnityCatalogTable table) {
        VendedCredentials v = new VendedCredentials(catalog, table, vend(catalog, table, System.currentTimeMillis()));
        REGISTRY.put(v.key, v);
        return v;
    }

    /**
     * New credentials from the catalog, refused if already expired: installed, they would be refreshed again on every
     * request (a catalog call each) while the storage refused them all.
     */
    private static TemporaryCredentials vend(UnityCatalog catalog, UnityCatalogTable table, long now) {
        TemporaryCredentials c = catalog.temporaryCredentials(table);
        if (c.expirationMillis() <= now) {
            throw new UnityCatalogException("Unity Catalog at " + catalog.uri() + " vended temporary credentials for "
                    + "table " + table.fullName() + " that had already expired (at "
                    + Instant.ofEpochMilli(c.expirationMillis()) + ", this machine's clock says "
                    + Instant.ofEpochMilli(now) + "); check the clocks of both", 200, null);
        }
        return c;
    }

    /** The registered credentials under {@code key}, for a filesystem's credential provider. */
    static VendedCredentials lookup(String key) {
        VendedCredentials v = key == null ? null : REGISTRY.get(key);
        if (v == null) {
            throw new IllegalStateException("no Unity Catalog credentials registered under " + KEY + "=" + key
                    + "; open the table with UnityCatalog.open");
        }
        return v;
    }

    /** The Hadoop settings that make the table's filesystem use these credentials. */
    Map<String, String> hadoopSettings() {
        TemporaryCredentials c = current;
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY, key);
        m.put(DeltaSource.FILESYSTEM_OWNER_KEY, "larder-uc-" + table.tableId());
        m.put(DeltaSource.CREDENTIALS_ORIGIN_KEY, origin());
        switch (c.cloud()) {
            case "aws" -> m.put(CloudSettings.PROVIDERS_KEY, VendedAwsCredentialsProvider.class.getName());
            case "azure" -> {
                String account = URI.create(table.storageLocation()).getHost();
                m.put("fs.azure.account.auth.type." + account, "SAS");
                m.put("fs.azure.sas.token.provider.type." + account, VendedAzureSasTokenProvider.class.getName());
            }
            default -> {
                m.put("fs.gs.auth.type", "ACCESS_TOKEN_PROVIDER");
                m.put("fs.gs.auth.access.token.provider", VendedGcsTokenProvider.class.getName());
            }
        }
        return m;
    }

    String origin() {
        return "temporary credentials Unity Catalog at " + catalog.uri() + " vends for table " + table.fullName()
                + " (refreshed before they expire)";
    }

    /**
     * Credentials valid now: the current ones, refreshed first once three quarters of their lifetime has passed (at
     * most one attempt a second while the catalog fails).
     *
     * @throws ExpiredCredentialsException when they have expired and the catalog cannot vend new ones
     */
    TemporaryCredentials current() {
        long now = System.currentTimeMillis();
        if (now < refreshAtMillis) {
            return current;
        }
        synchronized (this) {
            if (now >= refreshAtMillis && now >= nextAttemptMillis) {
                try {
                    install(vend(catalog, table, now), now);
                    refreshes++;
                    lastFailure = null;
                } catch (RuntimeException e) {
                    nextAttemptMillis = now + RETRY_MILLIS;
                    lastFailure = e;
                    if (now < current.expirationMillis()) {
                        LOG.log(Level.WARNING, "cannot refresh the temporary credentials of table " + table.fullName()
                                + " (valid until " + Instant.ofEpochMilli(current.expirationMillis()) + "); retrying: "
                                + e.getMessage());
                    }
                }
            }
            if (now >= current.expirationMillis()) {
                throw new ExpiredCredentialsException("the temporary credentials Unity Catalog at " + catalog.uri()
                        + " vends for table " + table.fullName() + " expired at "
                        + Instant.ofEpochMilli(current.expirationMillis()) + " and cannot be renewed"
                        + (lastFailure == null ? "" : ": " + lastFailure.getMessage()), lastFailure);
            }
            return current;
        }
    }

    /** How many times the credentials were refreshed. */
    public int refreshes() {
        return refreshes;
    }

    private void install(TemporaryCredentials c, long now) {
        current = c;
        refreshAtMillis = now + Math.max(0, c.expirationMillis() - now) * 3 / 4;
    }
}
