package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.larder.cloud.LocalS3;
import dev.larder.cloud.SharedTables;
import dev.larder.snapshot.TableParity;
import dev.larder.store.FeatureStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commands that read Delta, against S3Proxy through s3a: credentials from the AWS environment variables (a child
 * process, since a test cannot set its own environment) or from {@code --conf} (in-process).
 */
class CliS3Test {
    static final String BUCKET = "cli";

    @TempDir
    static Path dir;
    static LocalS3 s3;

    @BeforeAll
    static void upload() throws Exception {
        s3 = LocalS3.start(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        s3.uploadTable(SharedTables.table("simple_table"), BUCKET, "features/simple", Set.of());
        s3.uploadTable(SharedTables.table("dv-partitioned-with-checkpoint"), BUCKET, "features/dv", Set.of());
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    record Child(int exit, String out, String err) {
    }

    static final Map<String, String> ENV_CREDENTIALS = Map.of("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY, "AWS_REGION", "us-east-1");

    /**
     * Starts {@code larder args} in a child JVM with {@code env} added to a clean AWS environment and a home without
     * ~/.aws, its output going to files.
     */
    static Started start(Map<String, String> env, String... args) throws IOException {
        return start(dir, env, args);
    }

    /** {@link #start(Map, String...)} with its home and output files under {@code dir}. */
    static Started start(Path dir, Map<String, String> env, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Duser.home=" + dir.resolve("home"), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), LarderCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("DATABRICKS_"));
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().putAll(env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        return new Started(pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
    }

    record Started(Process process, Path out, Path err) {
        String output() throws IOException {
            return Files.readString(out, StandardCharsets.UTF_8) + Files.readString(err, StandardCharsets.UTF_8);
        }
    }

    /** Runs {@code larder args} in a child JVM (see {@link #start}) to its end. */
    static Child child(Map<String, String> env, String... args) throws IOException, InterruptedException {
        return child(dir, env, args);
    }

    /** {@link #child(Map, String...)} with its home and output files under {@code dir}. */
    static Child child(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        Started s = start(dir, env, args);
        if (!s.process().waitFor(5, TimeUnit.MINUTES)) {
            s.process().destroyForcibly().waitFor();
            throw new AssertionError("larder " + String.join(" ", args) + " did not finish: " + s.output());
        }
        return new Child(s.process().exitValue(), Files.readString(s.out(), StandardCharsets.UTF_8),
                Files.readString(s.err(), StandardCharsets.UTF_8));
    }

    /** --conf for the endpoint only: credentials come from elsewhere. */
    static List<String> endpointConf() {
        return List.of("--conf", "fs.s3a.endpoint=" + s3.endpoint(), "--conf", "fs.s3a.path.style.access=true",
                "--conf", "fs.s3a.retry.limit=1", "--conf", "fs.s3a.attempts.maximum=1");
    }

    static String[] args(List<String> conf, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(conf);
        return all.toArray(String[]::new);
    }

    static List<String> credentialConf() {
        List<String> c = new ArrayList<>(endpointConf());
        c.addAll(List.of("--conf", "fs.s3a.access.key=" + LocalS3.ACCESS_KEY,
                "--conf", "fs.s3a.secret.key=" + LocalS3.SECRET_KEY, "--conf", "fs.s3a.endpoint.region=us-east-1"));
        return c;
    }

    @Test
    void loadWithCredentialsFromTheAwsEnvironmentThenApplyVerifyAndRebuildWithConf() throws Exception {
        String store = dir.resolve("store-env").toString();
        Child load = child(ENV_CREDENTIALS, args(endpointConf(), "load", "--delta",
                "s3a://" + BUCKET + "/features/simple", "--key", "id", "--store", store,
                        "--table", "simple", "--version", "1"));
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded 20 rows of s3a://" + BUCKET + "/features/simple version 1"), load.out());

        CliTest.Run apply = larder(args(credentialConf(), "apply-changes", "--store", store, "--table", "simple"));
        assertEquals(0, apply.exit(), apply.err());
        assertTrue(apply.out().contains("watermark 4, 3 rows"), apply.out());
        CliTest.Run verify = larder(args(credentialConf(), "verify", "--store", store, "--table", "simple"));
        assertEquals(0, verify.exit(), verify.out() + verify.err());
        assertTrue(verify.out().startsWith("OK: simple equals s3a://" + BUCKET
                + "/features/simple at version 4 (3 rows)"), verify.out());

        CliTest.Run rebuild = larder(args(credentialConf(), "rebuild", "--store", store, "--table", "simple", "--yes"));
        assertEquals(0, rebuild.exit(), rebuild.err());
        assertTrue(rebuild.out().contains("rebuilt simple from s3a://" + BUCKET
                + "/features/simple at version 4: 3 rows"), rebuild.out());
        try (FeatureStore s = FeatureStore.open(Path.of(store))) {
            assertEquals(SharedTables.expected(SharedTables.snapshots("simple_table").get(4L)),
                    TableParity.dump(s.table("simple")));
        }
    }

    /** Follow runs until stopped: a child process, stopped with SIGTERM once its status shows the latest version. */
    @Test
    void followWithCredentialsFromTheEnvironment() throws Exception {
        Path store = dir.resolve("store-follow");
        Started follow = start(ENV_CREDENTIALS, args(endpointConf(), "follow", "--store", store.toString(), "--delta",
                "s3a://" + BUCKET + "/features/dv", "--key", "col1", "--table", "dv", "--status-every", "200ms"));
        Process p = follow.process();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (!follow.output().contains("dv [dv] FOLLOWING: watermark v15")) {
            assertTrue(p.isAlive() && System.nanoTime() < deadline, "follow never reached v15: " + follow.output());
            Thread.sleep(100);
        }
        p.destroy();
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), "follow did not stop on SIGTERM");
        assertTrue(follow.output().contains("following s3a://" + BUCKET + "/features/dv as dv"), follow.output());
        try (FeatureStore s = FeatureStore.open(store)) {
            assertEquals(15, s.table("dv").lineage().version());
            assertEquals(SharedTables.expected(SharedTables.snapshots("dv-partitioned-with-checkpoint").get(15L)),
                    TableParity.dump(s.table("dv")));
        }
    }

    /** s3a's default provider list has no AWS profile step; CloudSettings adds it. */
    @Test
    void loadWithCredentialsFromAnAwsProfile() throws Exception {
        Path credentials = dir.resolve("aws-credentials");
        Files.writeString(credentials, "[larder-test]\naws_access_key_id = " + LocalS3.ACCESS_KEY
                + "\naws_secret_access_key = " + LocalS3.SECRET_KEY + "\n");
        Child load = child(Map.of("AWS_SHARED_CREDENTIALS_FILE", credentials.toString(), "AWS_PROFILE", "larder-test",
                        "AWS_REGION", "us-east-1"),
                args(endpointConf(), "load", "--delta", "s3a://" + BUCKET + "/features/simple", "--key", "id",
                        "--store", dir.resolve("store-profile").toString(), "--table", "simple"));
        assertEquals(0, load.exit(), load.err());
        assertTrue(load.out().contains("loaded 3 rows of s3a://" + BUCKET + "/features/simple version 4"), load.out());
    }

    @Test
    void wrongCredentialsInTheEnvironmentAreNamedInTheError() throws Exception {
        Child load = child(Map.of("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG9", "AWS_SECRET_ACCESS_KEY", "wrong",
                "AWS_REGION", "us-east-1"),
                args(endpointConf(), "load", "--delta", "s3a://" + BUCKET + "/features/simple", "--key", "id",
                        "--store", dir.resolve("store-denied").toString(), "--table", "simple"));
        assertEquals(1, load.exit(), load.out());
        assertTrue(load.err().contains("access denied by the storage")
                && load.err().contains("s3a://" + BUCKET + "/features/simple")
                && load.err().contains("credentials from environment variable AWS_ACCESS_KEY_ID (key id AKIA…ONG9)"),
                load.err());
    }
}
