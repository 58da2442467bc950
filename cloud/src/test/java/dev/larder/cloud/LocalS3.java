package dev.larder.cloud;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server on loopback for tests: S3Proxy (its {@code filesystem} backend serves a local directory as
 * buckets) run as a child process from the jar Maven copies into {@code target/s3proxy}, on an ephemeral port that
 * survives {@link #stop()} and {@link #start()}; plus an S3 client to upload tables through the S3 API.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "AKIALARDERTEST0000001";
    public static final String SECRET_KEY = "larder-test-secret-key-0000000000000000001";

    private final Path dir;
    private final int port;
    private Process process;
    private S3Client client;

    private LocalS3(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Starts a server whose buckets live in {@code dir/buckets}; its log goes to {@code dir/s3proxy.log}. */
    public static LocalS3 start(Path dir) throws IOException, InterruptedException {
        return start(dir, true);
    }

    /**
     * Starts a server that checks no signature, to sit behind a gate that checks credentials S3Proxy cannot (session
     * tokens: S3Proxy answers NotImplemented to a request carrying {@code x-amz-security-token}).
     */
    public static LocalS3 startWithoutAuthorization(Path dir) throws IOException, InterruptedException {
        return start(dir, false);
    }

    private static LocalS3 start(Path dir, boolean authorization) throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        LocalS3 s3 = new LocalS3(dir, port);
        Files.createDirectories(dir.resolve("buckets"));
        Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
                "s3proxy.endpoint=" + s3.endpoint(),
                "s3proxy.authorization=" + (authorization ? "aws-v2-or-v4" : "none"),
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dir.resolve("buckets")) + "\n");
        s3.start();
        return s3;
    }

    /** (Re)starts the server on the same port and directory; returns once it answers HTTP. */
    public void start() throws IOException, InterruptedException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("S3Proxy already running on port " + port);
        }
        String jar = System.getProperty("s3proxy.jar");
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException(
                    "system property s3proxy.jar (set by surefire) does not name the S3Proxy jar: " + jar);
        }
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar, "--properties", dir.resolve("s3proxy.conf").toString());
        pb.environment().put("LOG_LEVEL", "warn");
        pb.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("s3proxy.log").toFile()));
        process = pb.start();
        Process started = process;
        // A test JVM that exits without close() must not leave a server behind.
        Runtime.getRuntime().addShutdownHook(new Thread(started::destroyForcibly, "s3proxy-stop"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!answers()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + "; see "
                        + dir.resolve("s3proxy.log"));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("S3Proxy did not answer on " + endpoint() + " within 120 s; see "
                        + dir.resolve("s3proxy.log"));
            }
            Thread.sleep(100);
        }
    }

    private boolean answers() {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(5000);
            c.getResponseCode();
            c.disconnect();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the server; {@link #start()} brings it back on the same port. */
    public void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** CPU time the running server has used, for benchmarks that separate the server's cost from the reader's. */
    public long serverCpuNanos() {
        return process.info().totalCpuDuration().orElseThrow().toNanos();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Hadoop settings that reach this server with its credentials, failing fast rather than retrying for minutes. */
    public Map<String, String> hadoopSettings() {
        Map<String, String> m = new LinkedHashMap<>(endpointSettings());
        m.put("fs.s3a.access.key", ACCESS_KEY);
        m.put("fs.s3a.secret.key", SECRET_KEY);
        return m;
    }

    /** Endpoint and retry settings without credentials. */
    public Map<String, String> endpointSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fs.s3a.endpoint", endpoint());
        m.put("fs.s3a.endpoint.region", "us-east-1");
        m.put("fs.s3a.path.style.access", "true");
        m.put("fs.s3a.attempts.maximum", "1");
        m.put("fs.s3a.retry.limit", "1");
        m.put("fs.s3a.retry.interval", "50ms");
        return m;
    }

    public S3Client client() {
        if (client == null) {
            client = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                    .forcePathStyle(true).httpClient(ApacheHttpClient.create())
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY,
                            SECRET_KEY)))
                    .build();
        }
        return client;
    }

    public void createBucket(String bucket) {
        client().createBucket(b -> b.bucket(bucket));
    }

    /**
     * Uploads every file under {@code table} to {@code s3a://bucket/prefix/...} in the order a writer publishes them:
     * data files, then commits in version order, then checkpoints and checksums, then {@code _last_checkpoint}; files
     * in {@code skip} (paths relative to the table) are left out.
     *
     * @return the relative paths uploaded
     */
    public List<String> uploadTable(Path table, String bucket, String prefix, java.util.Set<String> skip) {
        List<Path> files;
        try (Stream<Path> s = Files.walk(table)) {
            files = new ArrayList<>(s.filter(Files::isRegularFile).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        files.sort(Comparator.comparingInt((Path p) -> publishOrder(table.relativize(p).toString()))
                .thenComparing(p -> table.relativize(p).toString()));
        List<String> keys = new ArrayList<>();
        for (Path f : files) {
            String rel = table.relativize(f).toString().replace('\\', '/');
            if (skip.contains(rel)) {
                continue;
            }
            String key = prefix + "/" + rel;
            client().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromFile(f));
            keys.add(rel);
        }
        return keys;
    }

    private static int publishOrder(String rel) {
        if (!rel.startsWith("_delta_log")) {
            return 0;
        }
        return rel.endsWith(".json") ? 1 : rel.endsWith("_last_checkpoint") ? 3 : 2;
    }

    public void delete(String bucket, String key) {
        client().deleteObject(b -> b.bucket(bucket).key(key));
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
        stop();
    }
}
