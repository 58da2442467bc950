package dev.larder.cloud;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Temporary cloud credentials Unity Catalog vends for one table ({@code POST /temporary-table-credentials}): AWS
 * session credentials, an Azure SAS token or a GCP OAuth token, with their expiry. Immutable; {@link #toString()} shows
 * no secret.
 *
 * @param cloud                 {@code aws}, {@code azure} or {@code gcp}
 * @param accessKeyId           AWS access key id (aws)
 * @param secretAccessKey       AWS secret access key (aws)
 * @param sessionToken          AWS session token (aws)
 * @param token                 the SAS token (azure) or OAuth token (gcp)
 * @param expirationMillis      when they expire, epoch millis
 */
public record TemporaryCredentials(String cloud, String accessKeyId, String secretAccessKey, String sessionToken,
                                   String token, long expirationMillis) {

    static TemporaryCredentials from(JsonNode c, String table, String endpoint) {
        long expiry = c.path("expiration_time").asLong(0);
        if (expiry <= 0) {
            throw new UnityCatalogException("temporary credentials for table " + table + " from " + endpoint
                    + " have no expiration_time", 200, null);
        }
        JsonNode aws = c.path("aws_temp_credentials");
        if (aws.isObject()) {
            return new TemporaryCredentials("aws", aws.path("access_key_id").asText(),
                    aws.path("secret_access_key").asText(),
                    aws.path("session_token").asText(), null, expiry);
        }
        JsonNode sas = c.path("azure_user_delegation_sas").path("sas_token");
        if (sas.isTextual()) {
            return new TemporaryCredentials("azure", null, null, null, sas.asText(), expiry);
        }
        JsonNode gcp = c.path("gcp_oauth_token").path("oauth_token");
        if (gcp.isTextual()) {
            return new TemporaryCredentials("gcp", null, null, null, gcp.asText(), expiry);
        }
        throw new UnityCatalogException("temporary credentials for table " + table + " from " + endpoint
                + " carry none of aws_temp_credentials, azure_user_delegation_sas, gcp_oauth_token", 200, null);
    }

    @Override
    public String toString() {
        return cloud + " temporary credentials" + (accessKeyId != null ? " " + accessKeyId : "") + " expiring at "
                + java.time.Instant.ofEpochMilli(expirationMillis);
    }
}
