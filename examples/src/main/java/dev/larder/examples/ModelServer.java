package dev.larder.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.larder.Larder;
import dev.larder.Vector;
import dev.larder.store.ReadStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * The smallest real model server: serves the feature vectors a definition file declares over HTTP (JDK HttpServer) from
 * a fixed pool of request threads, each keeping its own fillers (readers are per thread, and kept, not made per
 * request); thread-safe.
 *
 * <ul>
 *   <li>{@code GET /vectors/{name}/{key}}: {@code {"vector":..,"key":..,"features":{"table.column":value,..},
 *       "statuses":{"table.column":"FOUND",..}}}; 404 for an unknown vector, 400 for a key that is not a number.</li>
 *   <li>{@code GET /health}: 200 while every table is fresh, else 503.</li>
 * </ul>
 *
 * <pre>{@code java -cp ... dev.larder.examples.ModelServer features.yaml 8080}</pre>
 */
public final class ModelServer implements AutoCloseable {
    private final Larder larder;
    private final HttpServer http;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    /** Per-thread fillers and arrays, so a request allocates only its answer. */
    private final class Scratch {
        final java.util.Map<String, Vector.Filler> fillers = new java.util.HashMap<>();

        Vector.Filler filler(Vector v) {
            return fillers.computeIfAbsent(v.name(), n -> v.newFiller());
        }
    }

    private ModelServer(Larder larder, int port) throws IOException {
        this.larder = larder;
        this.http = HttpServer.create(new InetSocketAddress(port), 0);
        http.createContext("/vectors/", this::vector);
        http.createContext("/health", this::health);
        http.setExecutor(Executors.newFixedThreadPool(2 * Runtime.getRuntime().availableProcessors()));
    }

    /** Opens the definition's store, waits until its tables are bootstrapped, and starts serving on {@code port} (0: any). */
    public static ModelServer start(Path definition, int port, Duration ready) throws IOException, InterruptedException {
        Larder larder = Larder.fromDefinition(definition);
        try {
            if (!larder.awaitReady(ready)) {
                throw new IllegalStateException("tables not bootstrapped within " + ready + ": " + larder.status());
            }
            ModelServer server = new ModelServer(larder, port);
            server.http.start();
            return server;
        } catch (IOException | RuntimeException | InterruptedException e) {
            larder.close();
            throw e;
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    private void vector(HttpExchange ex) throws IOException {
        try (ex) {
            String[] parts = ex.getRequestURI().getPath().split("/");
            if (parts.length != 4) {
                send(ex, 404, "{\"error\":\"GET /vectors/{name}/{key}\"}");
                return;
            }
            Vector v;
            try {
                v = larder.vector(parts[2]);
            } catch (IllegalArgumentException e) {
                send(ex, 404, "{\"error\":" + quote(e.getMessage()) + "}");
                return;
            }
            long key;
            try {
                key = Long.parseLong(parts[3]);
            } catch (NumberFormatException e) {
                send(ex, 400, "{\"error\":\"the key is not a number: " + parts[3].replace("\"", "") + "\"}");
                return;
            }
            double[] values = new double[v.size()];
            ReadStatus[] statuses = new ReadStatus[v.size()];
            scratch.get().filler(v).fill(key, values, statuses);
            List<String> names = v.features();
            StringBuilder features = new StringBuilder();
            StringBuilder status = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                String sep = i == 0 ? "" : ",";
                features.append(sep).append(quote(names.get(i))).append(':').append(values[i]);
                status.append(sep).append(quote(names.get(i))).append(':').append(quote(statuses[i].name()));
            }
            send(ex, 200, "{\"vector\":" + quote(v.name()) + ",\"key\":" + key + ",\"features\":{" + features
                    + "},\"statuses\":{" + status + "}}");
        }
    }

    private void health(HttpExchange ex) throws IOException {
        try (ex) {
            boolean healthy = larder.healthy();
            send(ex, healthy ? 200 : 503, "{\"healthy\":" + healthy + "}");
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void send(HttpExchange ex, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdown();
        larder.close();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ModelServer DEFINITION.yaml PORT");
            System.exit(2);
        }
        ModelServer server = start(Path.of(args[0]), Integer.parseInt(args[1]), Duration.ofHours(1));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "model-server-stop"));
        System.out.println("serving " + args[0] + " on port " + server.port());
        Thread.currentThread().join();
    }
}
