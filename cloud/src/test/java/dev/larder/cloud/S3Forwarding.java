package dev.larder.cloud;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Test helper: forwards one request an {@code HttpServer} received to an S3 endpoint (S3Proxy) and its answer back,
 * for test servers that stand between the S3 client and the store (a credential gate, a proxy that drops a header).
 */
public final class S3Forwarding {
    /** Request headers the JDK client sets itself or refuses. */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
            "upgrade", "transfer-encoding");

    private S3Forwarding() {
    }

    /**
     * Sends {@code ex}'s request to {@code upstream} with {@code http}, less the request headers named (lower case) in
     * {@code withheld}, and answers {@code ex} with the response, keeping the response headers {@code keepHeader}
     * accepts (by lower-case name) besides those the server sets itself.
     */
    public static void forward(HttpClient http, String upstream, HttpExchange ex, Set<String> withheld,
                               Predicate<String> keepHeader) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(upstream + ex.getRequestURI()))
                .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        ex.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase();
            if (!NOT_FORWARDED.contains(lower) && !withheld.contains(lower)) {
                values.forEach(v -> b.header(name, v));
            }
        });
        HttpResponse<byte[]> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        boolean head = ex.getRequestMethod().equals("HEAD");
        r.headers().map().forEach((name, values) -> {
            String lower = name.toLowerCase();
            // The server frames the body itself; a HEAD answer keeps the length of the object it describes.
            boolean framing = lower.equals("transfer-encoding") || lower.equals(":status")
                    || (lower.equals("content-length") && !head);
            if (!framing && keepHeader.test(lower)) {
                ex.getResponseHeaders().put(name, List.copyOf(values));
            }
        });
        boolean empty = head || r.statusCode() == 204 || r.statusCode() == 304 || r.body().length == 0;
        ex.sendResponseHeaders(r.statusCode(), empty ? -1 : r.body().length);
        if (!empty) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        }
    }
}
