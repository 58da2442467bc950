package dev.larder.cloud;

import dev.larder.snapshot.DeltaSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/**
 * Hadoop settings for reading Delta tables from S3 ({@code s3a://} and {@code s3://} URIs) with the standard AWS
 * environment, for {@link DeltaSource#open(String, Map)}; stateless.
 *
 * <pre>{@code
 * DeltaSource src = DeltaSource.open("s3a://bucket/features/users",
 *         CloudSettings.hadoopSettings(Map.of("fs.s3a.endpoint.region", "eu-west-1")));
 * }</pre>
 *
 * <p>What the environment contributes, each only where neither the given settings nor a {@code core-site.xml} set it:
 * <ul>
 *   <li>credentials: s3a looks, in order, at {@code fs.s3a.access.key}/{@code secret.key}/{@code session.token},
 *       the environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, {@code AWS_SESSION_TOKEN}), the AWS
 *       profile ({@code AWS_PROFILE}, default {@code default}, in {@code ~/.aws/credentials} or {@code ~/.aws/config}),
 *       then the EC2/ECS instance role. s3a's own default list has no profile step; this adds it. Secrets are never
 *       copied into the settings.</li>
 *   <li>region: {@code AWS_REGION} or {@code AWS_DEFAULT_REGION} as {@code fs.s3a.endpoint.region} (s3a ignores them
 *       and falls back to us-east-2 with cross-region probing).</li>
 *   <li>endpoint: {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL} as {@code fs.s3a.endpoint}.</li>
 *   <li>{@code s3://} is read through s3a, as Databricks names its tables.</li>
 *   <li>reads: sequential input with a 4 MB readahead ({@code fs.s3a.experimental.input.fadvise},
 *       {@code fs.s3a.readahead.range}), since Larder scans whole files.</li>
 *   <li>writes (the served-feature log, training sets): uploads buffered off-heap
 *       ({@code fs.s3a.fast.upload.buffer=bytebuffer}), not in local files.</li>
 *   <li>{@link DeltaSource#CREDENTIALS_ORIGIN_KEY}: where the credentials come from, repeated in access-denied
 *       errors.</li>
 * </ul>
 */
public final class CloudSettings {
    static final String PROVIDERS_KEY = "fs.s3a.aws.credentials.provider";

    /** s3a's default provider list with the AWS profile inserted before the instance role. */
    static final List<String> PROVIDERS = List.of(
            "org.apache.hadoop.fs.s3a.TemporaryAWSCredentialsProvider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
            "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
            "software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider",
            "org.apache.hadoop.fs.s3a.auth.IAMInstanceCredentialsProvider");

    /** s3a input settings for whole-file scans; each applies only where the user set nothing. */
    static final Map<String, String> SEQUENTIAL_READS = Map.of(
            "fs.s3a.experimental.input.fadvise", "sequential",
            "fs.s3a.readahead.range", "4M");

    /**
     * s3a upload settings, each only where the user set nothing: its default buffers uploads in local files through
     * Hadoop's checksumming LocalFileSystem, which {@link DeltaSource#localConfiguration()} replaces with the raw one
     * (so every s3a commit failed on a class cast); off-heap buffers need no local file system (S3ServeLogTest).
     */
    static final Map<String, String> UPLOADS = Map.of("fs.s3a.fast.upload.buffer", "bytebuffer");

    private CloudSettings() {
    }

    /** {@code settings} plus what the process environment and the user's AWS profile files contribute (see above). */
    public static Map<String, String> hadoopSettings(Map<String, String> settings) {
        return hadoopSettings(settings, System.getenv(), Path.of(System.getProperty("user.home")));
    }

    static Map<String, String> hadoopSettings(Map<String, String> settings, Map<String, String> env, Path home) {
        Configuration conf = DeltaSource.localConfiguration();
        settings.forEach(conf::set);
        Map<String, String> out = new LinkedHashMap<>();
        boolean defaultProviders = isDefault(conf, PROVIDERS_KEY);
        if (defaultProviders) {
            out.put(PROVIDERS_KEY, String.join(",", PROVIDERS));
        }
        String region = first(env, "AWS_REGION", "AWS_DEFAULT_REGION");
        if (region != null && conf.get("fs.s3a.endpoint.region") == null) {
            out.put("fs.s3a.endpoint.region", region);
        }
        String endpoint = first(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL");
        if (endpoint != null && isDefault(conf, "fs.s3a.endpoint")) {
            out.put("fs.s3a.endpoint", endpoint);
        }
        // Larder reads whole files (every column of every file, then the next file): one sequential stream with a large
        // readahead per file, not a new ranged GET per column chunk. S3BootstrapBenchmark: 0.68x -> 0.95x of local.
        for (Map<String, String> defaults : List.of(SEQUENTIAL_READS, UPLOADS)) {
            for (Map.Entry<String, String> e : defaults.entrySet()) {
                if (isDefault(conf, e.getKey())) {
                    out.put(e.getKey(), e.getValue());
                }
            }
        }
        if (conf.get("fs.s3.impl") == null) {
            out.put("fs.s3.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        }
        out.put(DeltaSource.CREDENTIALS_ORIGIN_KEY, defaultProviders ? credentialsOrigin(conf, env, home)
                : "the providers in " + PROVIDERS_KEY + " (" + conf.getTrimmed(PROVIDERS_KEY) + ")");
        out.putAll(settings);
        return out;
    }

    /** The first source in s3a's order that holds credentials, as an operator would look for it. */
    static String credentialsOrigin(Configuration conf, Map<String, String> env, Path home) {
        String key = conf.getTrimmed("fs.s3a.access.key", "");
        if (!key.isEmpty()) {
            return "Hadoop setting fs.s3a.access.key (key id " + mask(key) + ")"
                    + (conf.getTrimmed("fs.s3a.session.token", "").isEmpty() ? "" : " with fs.s3a.session.token");
        }
        String envKey = env.getOrDefault("AWS_ACCESS_KEY_ID", "");
        if (!envKey.isEmpty()) {
            return "environment variable AWS_ACCESS_KEY_ID (key id " + mask(envKey) + ")"
                    + (env.getOrDefault("AWS_SESSION_TOKEN", "").isEmpty() ? "" : " with AWS_SESSION_TOKEN");
        }
        String profile = env.getOrDefault("AWS_PROFILE", "default");
        for (Path file : List.of(
                Path.of(env.getOrDefault("AWS_SHARED_CREDENTIALS_FILE", home.resolve(".aws/credentials").toString())),
                Path.of(env.getOrDefault("AWS_CONFIG_FILE", home.resolve(".aws/config").toString())))) {
            if (hasProfile(file, profile)) {
                return "AWS profile '" + profile + "' in " + file;
            }
        }
        return "no fs.s3a.access.key, AWS_ACCESS_KEY_ID or AWS profile '" + profile
                + "': the EC2/ECS instance role, if any";
    }

    /** Whether only Hadoop's shipped defaults (or nothing) set {@code key}: the user did not choose a value. */
    private static boolean isDefault(Configuration conf, String key) {
        String[] sources = conf.getPropertySources(key);
        return sources == null || Arrays.stream(sources).allMatch(s -> s.equals("core-default.xml"));
    }

    private static boolean hasProfile(Path file, String profile) {
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return Files.readAllLines(file).stream().map(String::trim)
                    .anyMatch(l -> l.equals("[" + profile + "]") || l.equals("[profile " + profile + "]"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String first(Map<String, String> env, String... names) {
        for (String n : names) {
            String v = env.get(n);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    /** Enough of an access key id to tell keys apart in an error, not the whole id. */
    private static String mask(String keyId) {
        return keyId.length() <= 8 ? "…" : keyId.substring(0, 4) + "…" + keyId.substring(keyId.length() - 4);
    }
}
