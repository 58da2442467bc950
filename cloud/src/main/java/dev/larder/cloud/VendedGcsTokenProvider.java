package dev.larder.cloud;

import com.google.cloud.hadoop.util.AccessTokenProvider;
import java.io.IOException;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;

/**
 * gcs-connector's access token source for a token vended by a catalog. For a table opened through {@link UnityCatalog}
 * (its settings carry {@link VendedCredentials#KEY}) the token is the catalog's current one, refreshed before it
 * expires. Otherwise it is the fixed token the settings of {@link VendedTokenSettings#gcsAccessToken} carry: it cannot
 * be renewed, so it stays in use until it actually expires and then {@link #refresh()} fails saying so. gcs-connector
 * creates one per filesystem.
 */
public final class VendedGcsTokenProvider implements AccessTokenProvider {
    private Configuration conf;
    private AccessToken token;
    /** The Unity Catalog table whose refreshed tokens are used, when opened through {@link UnityCatalog}. */
    private String catalogKey;

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
        this.catalogKey = conf.get(VendedCredentials.KEY);
        if (catalogKey != null) {
            VendedCredentials.lookup(catalogKey);
            return;
        }
        String value = conf.getTrimmed(VendedTokenSettings.GCS_TOKEN_KEY);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("fs.gs.auth.type=ACCESS_TOKEN_PROVIDER with " + getClass().getName()
                    + " needs the token in " + VendedTokenSettings.GCS_TOKEN_KEY
                    + " (see VendedTokenSettings.gcsAccessToken)");
        }
        long expiresAt = conf.getLong(VendedTokenSettings.GCS_TOKEN_EXPIRES_AT_KEY, Long.MAX_VALUE);
        this.token = new AccessToken(value, Instant.ofEpochMilli(expiresAt));
    }

    @Override
    public Configuration getConf() {
        return conf;
    }

    @Override
    public AccessToken getAccessToken() {
        if (catalogKey != null) {
            TemporaryCredentials c = VendedCredentials.lookup(catalogKey).current();
            return new AccessToken(c.token(), Instant.ofEpochMilli(c.expirationMillis()));
        }
        return token;
    }

    @Override
    public void refresh() throws IOException {
        if (catalogKey != null) {
            // The catalog's credentials renew themselves on use (getAccessToken).
            return;
        }
        if (!Instant.now().isBefore(token.getExpirationTime())) {
            throw new IOException("the GCS access token vended for this table expired at " + token.getExpirationTime()
                    + "; open the table again with a new token");
        }
    }
}
