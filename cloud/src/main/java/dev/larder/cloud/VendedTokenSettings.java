package dev.larder.cloud;

import dev.larder.snapshot.DeltaSource;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Hadoop settings that make {@link DeltaSource#open(String, Map)} read a table with the temporary credentials a catalog
 * such as Unity Catalog vends for it: an Azure SAS token ({@code azure_user_delegation_sas.sas_token}) or a GCS OAuth
 * access token ({@code gcp_oauth_token.oauth_token}); stateless.
 *
 * <p>For a token you hold yourself; {@link UnityCatalog#open} asks the catalog for tokens and refreshes them. These are
 * not refreshed: once one expires, reads fail and the table must be opened again with a new one. Hadoop caches one
 * filesystem per container or bucket in a JVM, so the first table opened there fixes the token every later table in it
 * reads with, unless each table names its own {@link DeltaSource#FILESYSTEM_OWNER_KEY} (as tables opened through
 * {@link UnityCatalog} do).
 */
public final class VendedTokenSettings {
    /** The Configuration key {@link VendedGcsTokenProvider} reads the GCS token from. */
    public static final String GCS_TOKEN_KEY = "larder.gcs.vended.token";
    /** The Configuration key {@link VendedGcsTokenProvider} reads the token's expiry (epoch millis) from. */
    public static final String GCS_TOKEN_EXPIRES_AT_KEY = "larder.gcs.vended.token.expires-at-millis";

    private VendedTokenSettings() {
    }

    /**
     * Settings for hadoop-azure's fixed SAS token on the storage account of {@code storageLocation}, e.g.
     * {@code abfss://container@account.dfs.core.windows.net/tables/t}; account-scoped, so other accounts keep their own
     * settings.
     *
     * @throws IllegalArgumentException if {@code storageLocation} is not an {@code abfs[s]://container@host} URI
     */
    public static Map<String, String> azureSas(String storageLocation, String sasToken) {
        URI uri = parse(storageLocation);
        if (!"abfss".equalsIgnoreCase(uri.getScheme()) && !"abfs".equalsIgnoreCase(uri.getScheme())
                || uri.getUserInfo() == null || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "not an Azure storage location (abfss://container@account.dfs.core.windows.net/...): "
                            + storageLocation);
        }
        requireToken(sasToken, storageLocation);
        String account = uri.getHost();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs.azure.account.auth.type." + account, "SAS");
        // The token is appended to each request's query string; a leading '?' as some tools print it would be doubled.
        settings.put("fs.azure.sas.fixed.token." + account,
                sasToken.startsWith("?") ? sasToken.substring(1) : sasToken);
        settings.put(DeltaSource.CREDENTIALS_ORIGIN_KEY, "a SAS token vended for " + storageLocation);
        return settings;
    }

    /**
     * Settings for gcs-connector to send {@code token} as the OAuth access token for every {@code gs://} request,
     * through {@link VendedGcsTokenProvider}; gcs-connector has no per-bucket settings, so this applies to all buckets
     * read with these settings.
     *
     * @param storageLocation the table's location, e.g. {@code gs://bucket/tables/t}, checked and named in errors
     * @throws IllegalArgumentException if {@code storageLocation} is not a {@code gs://bucket} URI
     */
    public static Map<String, String> gcsAccessToken(String storageLocation, String token, long expiresAtMillis) {
        URI uri = parse(storageLocation);
        if (!"gs".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("not a GCS location (gs://bucket/...): " + storageLocation);
        }
        requireToken(token, storageLocation);
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fs.gs.auth.type", "ACCESS_TOKEN_PROVIDER");
        settings.put("fs.gs.auth.access.token.provider", VendedGcsTokenProvider.class.getName());
        settings.put(GCS_TOKEN_KEY, token);
        settings.put(GCS_TOKEN_EXPIRES_AT_KEY, Long.toString(expiresAtMillis));
        settings.put(DeltaSource.CREDENTIALS_ORIGIN_KEY, "an OAuth token vended for " + storageLocation
                + ", valid until "
                + Instant.ofEpochMilli(expiresAtMillis));
        return settings;
    }

    private static URI parse(String storageLocation) {
        try {
            return new URI(storageLocation);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("storage location is not a URI: " + storageLocation, e);
        }
    }

    private static void requireToken(String token, String storageLocation) {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("empty token vended for " + storageLocation);
        }
    }
}
