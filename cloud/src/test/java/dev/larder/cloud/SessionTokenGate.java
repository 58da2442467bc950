package dev.larder.cloud;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An S3 endpoint on loopback that accepts only temporary session credentials it issued and that have not expired, as
 * AWS does for the credentials Unity Catalog vends, and forwards accepted requests to an S3Proxy without authorization.
 * It checks the access key id in the SigV4 {@code Authorization} header and its {@code x-amz-security-token}, not the
 * signature; expired ones get AWS's {@code 400 ExpiredToken}, unknown ones {@code 403 InvalidAccessKeyId}.
 */
public final class SessionTokenGate implements AutoCloseable {
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/]+)/");
    /** The credentials this gate checked, which the S3Proxy behind would refuse. */
    private static final Set<String> WITHHELD = Set.of("authorization", "x-amz-security-token");

    /** Session credentials this gate issued, as an STS answer holds them; expired after {@code expirationMillis}. */
    public record Issued(String accessKeyId, String secretAccessKey, String sessionToken, long expirationMillis) {
    }

    private final HttpServer server;
    private final String upstream;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Issued> issued = new ConcurrentHashMap<>();
    /** Requests accepted per access key id. */
    final Map<String, AtomicLong> accepted = new ConcurrentHashMap<>();
    /** Request paths (bucket/key, no query) accepted per access key id. */
    final Map<String, Set<String>> paths = new ConcurrentHashMap<>();
    final AtomicLong expiredRefusals = new AtomicLong();
    final AtomicLong unknownRefusals = new AtomicLong();

    public SessionTokenGate(String upstream) throws IOException {
        this.upstream = upstream;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.start();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** New session credentials valid for {@code lifetimeMillis} from now. */
    Issued issue(long lifetimeMillis) {
        String id = "ASIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
        Issued c = new Issued(id, UUID.randomUUID().toString(), "token-" + UUID.randomUUID(),
                System.currentTimeMillis() + lifetimeMillis);
        issued.put(id, c);
        return c;
    }

    long acceptedWith(String accessKeyId) {
        AtomicLong n = accepted.get(accessKeyId);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            Matcher m = auth == null ? null : CREDENTIAL.matcher(auth);
            Issued c = m != null && m.find() ? issued.get(m.group(1)) : null;
            String token = ex.getRequestHeaders().getFirst("x-amz-security-token");
            if (c == null || !c.sessionToken().equals(token)) {
                unknownRefusals.incrementAndGet();
                error(ex, 403, "InvalidAccessKeyId",
                        "The AWS Access Key Id you provided does not exist in our records.");
                return;
            }
            if (System.currentTimeMillis() >= c.expirationMillis()) {
                expiredRefusals.incrementAndGet();
                error(ex, 400, "ExpiredToken", "The provided token has expired.");
                return;
            }
            accepted.computeIfAbsent(c.accessKeyId(), k -> new AtomicLong()).incrementAndGet();
            String query = ex.getRequestURI().getRawQuery();
            paths.computeIfAbsent(c.accessKeyId(), k -> ConcurrentHashMap.newKeySet())
                    .add(ex.getRequestURI().getRawPath()
                            + (query != null && query.contains("prefix=") ? "?" + query : ""));
            S3Forwarding.forward(http, upstream, ex, WITHHELD, name -> true);
        }
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        byte[] xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/xml");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, xml.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(xml);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        http.close();
    }
}
