package dev.larder.cloud;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server on a raw socket, for answers no HTTP server library sends: one that never ends, one that drips
 * a byte at a time, or none at all (a foreign host that only counts who connects). Each connection is served on a
 * daemon thread until the client hangs up.
 */
public final class RawHttpServer implements AutoCloseable {
    /** How every request is answered. */
    public enum Mode {
        /** 200, then JSON that never ends. */
        ENDLESS,
        /** 200 with a large Content-Length, then one byte every 200 ms. */
        DRIP,
        /** Nothing: the connection is counted and closed. */
        COUNT_ONLY
    }

    private final ServerSocket server;
    private final Mode mode;
    /** Connections accepted. */
    public final AtomicInteger connections = new AtomicInteger();
    /** Bytes sent over all connections. */
    public final java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();

    public RawHttpServer(Mode mode) throws IOException {
        this.mode = mode;
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::accept, "raw-http-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public String uri() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "raw-http-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            if (mode == Mode.COUNT_ONLY) {
                return;
            }
            readHead(in);
            if (mode == Mode.ENDLESS) {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
                        + "{\"table_id\":\"");
                byte[] chunk = new byte[64 * 1024];
                Arrays.fill(chunk, (byte) 'a');
                // Bounded only so that a client that never stops reading cannot fill this machine's memory forever.
                for (long total = 0; total < (2L << 30); total += chunk.length) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } else {
                write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{");
                for (int i = 0; i < 1_000_000; i++) {
                    Thread.sleep(200);
                    write(out, " ");
                }
            }
        } catch (IOException | InterruptedException hungUp) {
            // The client went away: what it read is its business.
        }
    }

    private void write(OutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        out.write(b);
        out.flush();
        sent.addAndGet(b.length);
    }

    /** Reads up to the end of the request's head; the requests Larder sends here have no body that matters. */
    private static void readHead(InputStream in) throws IOException {
        int state = 0;
        for (int c; (c = in.read()) >= 0; ) {
            boolean next = c == '\r' && (state == 0 || state == 2) || c == '\n' && (state == 1 || state == 3);
            state = next ? state + 1 : 0;
            if (state == 4) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
