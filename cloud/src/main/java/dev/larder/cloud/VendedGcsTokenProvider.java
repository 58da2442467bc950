package dev.larder.cloud;

import com.google.cloud.hadoop.util.AccessTokenProvider;
import java.io.IOException;
import java.time.Instant;
import org.apache.hadoop.conf.Configuration;

/**
 * gcs-connector's access token source for a token vended by a catalog, read from the settings
 * {@link VendedTokenSettings#gcsAccessToken} writes. gcs-connector creates one per filesystem and calls
 * {@link #refresh()} when the token nears its expiry; a vended token cannot be renewed, so it stays in use until it
 * actually expires and then refreshing fails with a message saying so.
 */
public final class VendedGcsTokenProvider implements AccessTokenProvider {
    private Configuration conf;
    private AccessToken token;

    @Override
    public void setConf(Configuration conf) {
        this.conf = conf;
        String value = conf.getTrimmed(VendedTokenSettings.GCS_TOKEN_KEY);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("fs.gs.auth.type=ACCESS_TOKEN_PROVIDER with " + getClass().getName()
                    + " needs the token in " + VendedTokenSettings.GCS_TOKEN_KEY + " (see VendedTokenSettings.gcsAccessToken)");
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
        return token;
    }

    @Override
    public void refresh() throws IOException {
        if (!Instant.now().isBefore(token.getExpirationTime())) {
            throw new IOException("the GCS access token vended for this table expired at " + token.getExpirationTime()
                    + "; open the table again with a new token");
        }
    }
}
