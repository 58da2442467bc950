package dev.larder.cloud;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.azurebfs.extensions.SASTokenProvider;

/**
 * hadoop-azure's SAS token source for a Unity Catalog table: the SAS token the catalog vends, refreshed before it
 * expires ({@link VendedCredentials}); thread-safe. hadoop-azure builds it by class name from
 * {@code fs.azure.sas.token.provider.type.<account>}, and the filesystem's {@link VendedCredentials#KEY} names the
 * table.
 */
public final class VendedAzureSasTokenProvider implements SASTokenProvider {
    private String key;

    @Override
    public void initialize(Configuration conf, String accountName) throws IOException {
        key = conf.get(VendedCredentials.KEY);
        VendedCredentials.lookup(key);
    }

    @Override
    public String getSASToken(String account, String fileSystem, String path, String operation) throws IOException {
        String token = VendedCredentials.lookup(key).current().token();
        // Appended to each request's query string: a leading '?' as some tools print it would be doubled.
        return token.startsWith("?") ? token.substring(1) : token;
    }
}
