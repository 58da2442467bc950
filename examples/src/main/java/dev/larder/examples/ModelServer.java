package dev.larder.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.larder.Larder;
import dev.larder.ReadStatus;
import dev.larder.TableStatus;
import dev.larder.Vector;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The smallest real model server: serves the feature vectors a definition file declares over HTTP (JDK HttpServer);
 * thread-safe.
 *
 * <ul>
 *   <li>{@code GET /vectors/{name}/{key}}: {@code {"vector":..,"key":..,"features":{"table.column":value,..},
 *       "statuses":{"table.column":"FOUND",..}}}; 404 for an unknown vector, 400 for a key that is not a number. A
 *       value JSON cannot hold (NaN, an infinity) is written as {@code null}; its status still says where it came
 *       from.</li>
 *   <li>{@code GET /health}: 200 while every table is fresh, else 503; {@code {"healthy":..,"unhealthy":[..]}} lists
 *       each unhealthy table with its state, staleness, watermark, the source's newest version, its consecutive
 *       failures and the last error.</li>
 * </ul>
 *
 * <p>Every answer is RFC 8259 JSON: strings escaped, control characters included. Hostile clients: each request runs
 * on its own virtual thread, so connections that send half a request hold no thread the others need; the JDK server
 * closes a connection whose request (headers and body) is not read within {@value #REQUEST_SECONDS} s or whose answer
 * is not taken within {@value #RESPONSE_SECONDS} s, keeps at most {@value #MAX_CONNECTIONS} connections open and
 * {@value #BACKLOG} waiting to be accepted. The JDK reads those limits from system properties once, when the JVM's
 * first HttpServer is made: this class sets each one the user did not ({@code -Dsun.net.httpserver.maxReqTime=S},
 * {@code -Dsun.net.httpserver.maxRspTime=S}, {@code -Djdk.httpserver.maxConnections=N}). A process that made any
 * HttpServer before this class was loaded keeps the JDK's defaults (no request time limit, no connection cap), so an
 * application copying this server into a JVM with other HTTP servers passes those three flags on its command line.
 * Readers are per thread, so request threads borrow fillers from a pool instead of making them per request.
 *
 * <pre>{@code java -cp ... dev.larder.examples.ModelServer features.yaml [--bind HOST:PORT]}</pre>
 */
public final class ModelServer implements AutoCloseable {
    /** Where {@link #main} serves unless {@code --bind} says otherwise: loopback only. */
    public static final String DEFAULT_BIND = "127.0.0.1:8080";
    /** Seconds the JDK server gives a request to arrive whole before closing its connection. */
    public static final int REQUEST_SECONDS = 10;
    /** Seconds the JDK server gives a client to take an answer before closing its connection. */
    public static final int RESPONSE_SECONDS = 10;
    /** Connections open at once; the JDK server closes further ones as it accepts them. */
    public static final int MAX_CONNECTIONS = 1000;
    /** Connections the kernel queues for accepting; it refuses more. */
    public static final int BACKLOG = 128;
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9A-Fa-f:.]+]|[^:\\[\\]]+):(\\d{1,5})");

    static {
        System.getProperties().putIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(REQUEST_SECONDS));
        System.getProperties().putIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(RESPONSE_SECONDS));
        System.getProperties().putIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
    }

    private final Larder larder;
    private final HttpServer http;
    private final ExecutorService requests = Executors.newVirtualThreadPerTaskExecutor();
    private final ConcurrentLinkedQueue<Scratch> idle = new ConcurrentLinkedQueue<>();

    /** One request's fillers, used by one thread at a time: borrowed from {@link #idle} and given back. */
    private static final class Scratch {
        final Map<String, Vector.Filler> fillers = new HashMap<>();

        Vector.Filler filler(Vector v) {
            return fillers.computeIfAbsent(v.name(), n -> v.newFiller());
        }
    }

    private ModelServer(Larder larder, InetSocketAddress address) throws IOException {
        this.larder = larder;
        this.http = HttpServer.create(address, BACKLOG);
        http.createContext("/vectors/", this::vector);
        http.createContext("/health", this::health);
        http.setExecutor(requests);
    }

    /**
     * Opens the definition's store, waits until its tables are bootstrapped, serves on loopback {@code port} (0: any).
     */
    public static ModelServer start(Path definition, int port, Duration ready)
            throws IOException, InterruptedException {
        return start(definition, new InetSocketAddress("127.0.0.1", port), ready);
    }

    /** Opens the definition's store, waits until its tables are bootstrapped, and serves on {@code address}. */
    public static ModelServer start(Path definition, InetSocketAddress address, Duration ready)
            throws IOException, InterruptedException {
        Larder larder = Larder.fromDefinition(definition);
        try {
            if (!larder.awaitReady(ready)) {
                throw new IllegalStateException("tables not bootstrapped within " + ready + ": " + larder.status());
            }
            ModelServer server = new ModelServer(larder, address);
            server.http.start();
            return server;
        } catch (IOException | RuntimeException | InterruptedException e) {
            larder.close();
            throw e;
        }
    }

    /**
     * {@code HOST:PORT} as given to {@code --bind}: a name, an IPv4 address or a bracketed IPv6 one
     * ({@code [::1]:8080}).
     *
     * @throws IllegalArgumentException naming the option and the value for anything else
     */
    public static InetSocketAddress bindAddress(String hostPort) {
        Matcher m = HOST_PORT.matcher(hostPort);
        int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--bind " + hostPort
                    + ": expected HOST:PORT (port 0-65535; IPv6 in brackets, e.g. [::1]:8080)");
        }
        String host = m.group(1);
        return new InetSocketAddress(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, port);
    }

    /** The address served, with the port chosen when 0 was asked. */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** The port served. */
    public int port() {
        return address().getPort();
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
                send(ex, 400, "{\"error\":" + quote("the key is not a number: " + parts[3]) + "}");
                return;
            }
            double[] values = new double[v.size()];
            ReadStatus[] statuses = new ReadStatus[v.size()];
            Scratch scratch = idle.poll();
            if (scratch == null) {
                scratch = new Scratch();
            }
            try {
                scratch.filler(v).fill(key, values, statuses);
            } finally {
                idle.offer(scratch);
            }
            List<String> names = v.features();
            StringBuilder features = new StringBuilder();
            StringBuilder status = new StringBuilder();
            for (int i = 0; i < names.size(); i++) {
                String sep = i == 0 ? "" : ",";
                features.append(sep).append(quote(names.get(i))).append(':').append(number(values[i]));
                status.append(sep).append(quote(names.get(i))).append(':').append(quote(statuses[i].name()));
            }
            send(ex, 200, "{\"vector\":" + quote(v.name()) + ",\"key\":" + key + ",\"features\":{" + features
                    + "},\"statuses\":{" + status + "}}");
        }
    }

    private void health(HttpExchange ex) throws IOException {
        try (ex) {
            // One status read, so the verdict and the tables it names agree.
            StringBuilder unhealthy = new StringBuilder();
            for (TableStatus s : larder.status()) {
                if (s.healthy()) {
                    continue;
                }
                unhealthy.append(unhealthy.isEmpty() ? "" : ",").append("{\"table\":").append(quote(s.table()))
                        .append(",\"state\":").append(quote(s.state().name()))
                        .append(",\"stalenessMillis\":").append(s.staleness().toMillis())
                        .append(",\"watermark\":").append(s.watermarkVersion())
                        .append(",\"latestSourceVersion\":").append(s.latestSourceVersion())
                        .append(",\"consecutiveFailures\":").append(s.consecutiveFailures())
                        .append(",\"lastError\":").append(s.lastError() == null ? "null" : quote(s.lastError()))
                        .append(",\"stoppedParts\":[")
                        .append(String.join(",", s.stoppedParts().stream().map(ModelServer::quote).toList()))
                        .append("]}");
            }
            boolean healthy = unhealthy.isEmpty();
            send(ex, healthy ? 200 : 503, "{\"healthy\":" + healthy + ",\"unhealthy\":[" + unhealthy + "]}");
        }
    }

    /** {@code d} as a JSON number, or null for NaN and the infinities, which JSON has no number for. */
    private static String number(double d) {
        return Double.isFinite(d) ? Double.toString(d) : "null";
    }

    /** {@code s} as a JSON string (RFC 8259): quote, backslash and every control character escaped. */
    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
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
        requests.shutdown();
        larder.close();
    }

    /** {@code ModelServer DEFINITION.yaml [--bind HOST:PORT]}: serves until stopped (SIGTERM, Ctrl-C). */
    public static void main(String[] args) throws Exception {
        if (!(args.length == 1 || args.length == 3 && args[1].equals("--bind"))) {
            System.err.println("usage: ModelServer DEFINITION.yaml [--bind HOST:PORT] (default " + DEFAULT_BIND + ")");
            System.exit(2);
        }
        InetSocketAddress address;
        try {
            address = bindAddress(args.length == 3 ? args[2] : DEFAULT_BIND);
        } catch (IllegalArgumentException e) {
            System.err.println("ModelServer: " + e.getMessage());
            System.exit(2);
            return;
        }
        ModelServer server = start(Path.of(args[0]), address, Duration.ofHours(1));
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "model-server-stop"));
        System.out.println("serving " + args[0] + " on " + server.address());
        Thread.currentThread().join();
    }
}
