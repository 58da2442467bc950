package dev.larder.cli;

import static dev.larder.cli.CliTest.larder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.larder.cli.CliTest.Run;
import dev.larder.cloud.LocalS3;
import dev.larder.cloud.S3Forwarding;
import dev.larder.tools.generate.DeltaTableGenerator;
import dev.larder.tools.generate.GeneratorSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3-compatible store whose objects come back without an ETag (S3Proxy behind a proxy that drops the header): the
 * error of a command reading such a table ends with what the S3 client said, and {@code --verbose} shows the chain.
 */
class S3ErrorCauseTest {
    static final String BUCKET = "no-etag";
    static final String WHAT_THE_CLIENT_SAID = "etag is marked non-null but is null";

    @TempDir
    static Path dir;
    static LocalS3 s3;
    static EtaglessProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        Path delta = dir.resolve("delta");
        DeltaTableGenerator.generate(GeneratorSpec.builder().rows(100).numericFeatures(4).stringFeatures(0)
                .commits(1).updatesPerCommit(10).deletesPerCommit(0).insertsPerCommit(10).rowsPerFile(100).seed(20)
                .build(), delta);
        s3 = LocalS3.startWithoutAuthorization(dir.resolve("s3"));
        s3.createBucket(BUCKET);
        s3.uploadTable(delta, BUCKET, "t", Set.of());
        proxy = new EtaglessProxy(s3.endpoint());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    /** {@code larder [before...] load ...} of the table through the proxy. */
    private static String[] load(String table, String... before) {
        List<String> args = new ArrayList<>(List.of(before));
        args.addAll(List.of("load", "--delta", "s3a://" + BUCKET + "/t", "--key", GeneratorSpec.KEY_COLUMN,
                "--store", dir.resolve("store").toString(), "--table", table,
                "--conf", "fs.s3a.endpoint=" + proxy.endpoint(), "--conf", "fs.s3a.endpoint.region=us-east-1",
                "--conf", "fs.s3a.path.style.access=true", "--conf", "fs.s3a.attempts.maximum=1",
                "--conf", "fs.s3a.retry.limit=1", "--conf", "fs.s3a.access.key=" + LocalS3.ACCESS_KEY,
                "--conf", "fs.s3a.secret.key=" + LocalS3.SECRET_KEY));
        return args.toArray(String[]::new);
    }

    @Test
    void theErrorEndsWithWhatTheS3ClientSaidAndVerboseShowsTheChain() {
        Run plain = larder(load("plain"));
        assertEquals(1, plain.exit(), plain.out());
        List<String> lines = plain.err().lines().toList();
        assertEquals(1, lines.size(), "one error line: " + plain.err());
        String error = lines.getFirst();
        assertTrue(error.startsWith("larder load: ") && error.contains("s3a://" + BUCKET + "/t/_delta_log/"), error);
        // The S3 client's own words: the analytics stream refuses an object without an ETag.
        assertTrue(error.endsWith("(cause: " + WHAT_THE_CLIENT_SAID + ")"), error);

        // --verbose given before the subcommand: an option every command inherits.
        Run verbose = larder(load("verbose", "--verbose"));
        assertEquals(1, verbose.exit(), verbose.out());
        List<String> chain = verbose.err().lines().toList();
        assertEquals(error, chain.getFirst(), "the error itself is unchanged: " + verbose.err());
        assertTrue(chain.size() >= 3, "several causes: " + verbose.err());
        for (String cause : chain.subList(1, chain.size())) {
            assertTrue(cause.startsWith("  caused by "), "one line per cause: " + verbose.err());
        }
        assertTrue(chain.stream().anyMatch(l -> l.startsWith("  caused by java.io.IOException: Error accessing s3://"
                + BUCKET + "/t/_delta_log/")), verbose.err());
        assertEquals("  caused by java.lang.NullPointerException: " + WHAT_THE_CLIENT_SAID, chain.getLast(),
                verbose.err());
    }

    /** Forwards every request to an S3 endpoint and its answers back, less their ETag header. */
    static final class EtaglessProxy implements AutoCloseable {
        private final HttpServer server;
        private final String upstream;
        private final HttpClient http = HttpClient.newHttpClient();
        private final ExecutorService threads = Executors.newFixedThreadPool(4);

        EtaglessProxy(String upstream) throws IOException {
            this.upstream = upstream;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/", this::forward);
            server.setExecutor(threads);
            server.start();
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void forward(HttpExchange ex) throws IOException {
            S3Forwarding.forward(http, upstream, ex, Set.of(), name -> !name.equals("etag"));
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
            http.close();
        }
    }
}
