package dev.larder.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.larder.snapshot.DeltaSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the AWS environment maps onto s3a settings, and what the credentials' origin says (no server needed). */
class CloudSettingsTest {
    @TempDir
    Path home;

    Map<String, String> resolve(Map<String, String> settings, Map<String, String> env) {
        return CloudSettings.hadoopSettings(settings, env, home);
    }

    static String origin(Map<String, String> settings) {
        return settings.get(DeltaSource.CREDENTIALS_ORIGIN_KEY);
    }

    /**
     * s3a's shipped list has no AWS profile step; the list set here is s3a's with it inserted before the instance role.
     */
    @Test
    void providerListIsS3asDefaultWithTheProfileAdded() {
        String shipped = new Configuration().getTrimmed(CloudSettings.PROVIDERS_KEY).replaceAll("\\s+", "");
        assertFalse(shipped.contains("ProfileCredentialsProvider"), shipped);
        String ours = resolve(Map.of(), Map.of()).get(CloudSettings.PROVIDERS_KEY);
        assertEquals(shipped, ours.replace("software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider,", ""));
    }

    @Test
    void aProviderListTheUserSetIsKeptAndNamedAsTheOrigin() {
        Map<String, String> s = resolve(Map.of(CloudSettings.PROVIDERS_KEY,
                "org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider"),
                Map.of("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001"));
        assertEquals("org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider", s.get(CloudSettings.PROVIDERS_KEY));
        assertEquals("the providers in fs.s3a.aws.credentials.provider "
                + "(org.apache.hadoop.fs.s3a.AnonymousAWSCredentialsProvider)", origin(s));
    }

    @Test
    void regionAndEndpointComeFromTheEnvironmentUnlessSet() {
        Map<String, String> env = Map.of("AWS_REGION", "eu-west-1", "AWS_DEFAULT_REGION", "us-west-2",
                "AWS_ENDPOINT_URL", "http://minio:9000");
        Map<String, String> s = resolve(Map.of(), env);
        assertEquals("eu-west-1", s.get("fs.s3a.endpoint.region"));
        assertEquals("http://minio:9000", s.get("fs.s3a.endpoint"));
        assertEquals("us-west-2",
                resolve(Map.of(), Map.of("AWS_DEFAULT_REGION", "us-west-2")).get("fs.s3a.endpoint.region"));
        assertEquals("http://s3-only:9000", resolve(Map.of(),
                Map.of("AWS_ENDPOINT_URL", "http://minio:9000", "AWS_ENDPOINT_URL_S3", "http://s3-only:9000"))
                        .get("fs.s3a.endpoint"));
        Map<String, String> explicit = resolve(Map.of("fs.s3a.endpoint.region", "ap-south-1", "fs.s3a.endpoint",
                "http://other"), env);
        assertEquals("ap-south-1", explicit.get("fs.s3a.endpoint.region"));
        assertEquals("http://other", explicit.get("fs.s3a.endpoint"));
        assertNull(resolve(Map.of(), Map.of()).get("fs.s3a.endpoint.region"), "no region: s3a's own fallback");
    }

    @Test
    void credentialsOriginFollowsS3asOrder() throws Exception {
        Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00001", "AWS_SESSION_TOKEN", "token");
        assertEquals("Hadoop setting fs.s3a.access.key (key id AKIA…0002) with fs.s3a.session.token",
                origin(resolve(Map.of("fs.s3a.access.key", "AKIASETTING000000002", "fs.s3a.session.token", "t"), env)));
        assertEquals("environment variable AWS_ACCESS_KEY_ID (key id AKIA…0001) with AWS_SESSION_TOKEN",
                origin(resolve(Map.of(), env)));
        assertEquals("no fs.s3a.access.key, AWS_ACCESS_KEY_ID or AWS profile 'default': "
                + "the EC2/ECS instance role, if any", origin(resolve(Map.of(), Map.of())));

        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/config"), "[profile analytics]\nregion = eu-west-1\n");
        assertEquals("AWS profile 'analytics' in " + home.resolve(".aws/config"),
                origin(resolve(Map.of(), Map.of("AWS_PROFILE", "analytics"))));
        Path shared = home.resolve("creds");
        Files.writeString(shared, "[default]\naws_access_key_id = AKIAPROFILE000000003\n");
        assertEquals("AWS profile 'default' in " + shared,
                origin(resolve(Map.of(), Map.of("AWS_SHARED_CREDENTIALS_FILE", shared.toString()))));
    }

    @Test
    void s3UrisAreReadThroughS3aAndExplicitSettingsWin() {
        assertEquals("org.apache.hadoop.fs.s3a.S3AFileSystem", resolve(Map.of(), Map.of()).get("fs.s3.impl"));
        Map<String, String> s = resolve(Map.of(DeltaSource.CREDENTIALS_ORIGIN_KEY, "vault", "fs.s3.impl",
                "x.Custom"), Map.of());
        assertEquals("vault", origin(s));
        assertEquals("x.Custom", s.get("fs.s3.impl"));
    }

    @Test
    void wholeFileReadsAreSequentialUnlessTheUserChoseOtherwise() {
        Map<String, String> s = resolve(Map.of(), Map.of());
        assertEquals("sequential", s.get("fs.s3a.experimental.input.fadvise"));
        assertEquals("4M", s.get("fs.s3a.readahead.range"));
        s = resolve(Map.of("fs.s3a.experimental.input.fadvise", "random"), Map.of());
        assertEquals("random", s.get("fs.s3a.experimental.input.fadvise"));
        assertEquals("4M", s.get("fs.s3a.readahead.range"));
    }
}
