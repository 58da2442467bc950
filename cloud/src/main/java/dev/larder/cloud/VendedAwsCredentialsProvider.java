package dev.larder.cloud;

import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

/**
 * The s3a credential provider of a Unity Catalog table: the session credentials the catalog vends, refreshed before
 * they expire ({@link VendedCredentials}); thread-safe. s3a builds it by class name from
 * {@code fs.s3a.aws.credentials.provider}, with the filesystem's settings, whose {@link VendedCredentials#KEY} names
 * the table.
 */
public final class VendedAwsCredentialsProvider implements AwsCredentialsProvider {
    private final String key;
    private TemporaryCredentials cachedFrom;
    private AwsSessionCredentials cached;

    public VendedAwsCredentialsProvider(URI uri, Configuration conf) {
        this.key = conf.get(VendedCredentials.KEY);
        VendedCredentials.lookup(key);
    }

    @Override
    public synchronized AwsCredentials resolveCredentials() {
        TemporaryCredentials c = VendedCredentials.lookup(key).current();
        if (c != cachedFrom) {
            cached = AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
            cachedFrom = c;
        }
        return cached;
    }

    @Override
    public String toString() {
        return "VendedAwsCredentialsProvider(" + key + ")";
    }
}
