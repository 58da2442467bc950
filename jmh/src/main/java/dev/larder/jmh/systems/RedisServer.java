package dev.larder.jmh.systems;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A private redis-server on a free loopback port with persistence off ({@code --save "" --appendonly no}), started and
 * stopped by the benchmark so that nothing outlives it (a shutdown hook covers an abrupt exit of the JVM).
 */
public final class RedisServer implements AutoCloseable {
    public static final String HOST = "127.0.0.1";

    private final Process process;
    private final int port;
    private final Path workDir;
    private final Thread hook;

    private RedisServer(Process process, int port, Path workDir) {
        this.process = process;
        this.port = port;
        this.workDir = workDir;
        this.hook = new Thread(process::destroyForcibly, "redis-server-stop");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The redis-server binary on PATH (or in the usual Debian places), or null. */
    public static Path findBinary() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(File.pathSeparator)) {
                Path p = Path.of(d, "redis-server");
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        for (String p : List.of("/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        return null;
    }

    public static RedisServer start() {
        Path bin = findBinary();
        if (bin == null) {
            throw new SystemUnavailableException(
                    "redis-server not found on PATH (Debian: apt-get install redis-server)", null);
        }
        try {
            Path work = Files.createTempDirectory("larder-redis");
            int port = freePort();
            Process p = new ProcessBuilder(bin.toString(), "--port", Integer.toString(port), "--bind", HOST,
                    "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", work.toString(),
                    "--loglevel", "warning")
                    .redirectErrorStream(true)
                    .redirectOutput(work.resolve("redis.log").toFile())
                    .start();
            RedisServer server = new RedisServer(p, port, work);
            server.awaitReady();
            return server;
        } catch (IOException e) {
            throw new SystemUnavailableException("cannot start redis-server: " + e.getMessage(), e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (!process.isAlive()) {
                String log = Files.readString(workDir.resolve("redis.log")).strip();
                close();
                throw new SystemUnavailableException("redis-server exited with " + process.exitValue() + ": "
                        + log, null);
            }
            try (Jedis j = new Jedis(HOST, port)) {
                if ("PONG".equals(j.ping())) {
                    return;
                }
            } catch (JedisConnectionException e) {
                if (System.nanoTime() > deadline) {
                    close();
                    throw new SystemUnavailableException("redis-server did not answer on port " + port
                            + " within 10 s", e);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new SystemUnavailableException("interrupted while starting redis-server", e);
            }
        }
    }

    public int port() {
        return port;
    }

    /** The server's version string, for reports. */
    public String version() {
        try (Jedis j = new Jedis(HOST, port)) {
            for (String line : j.info("server").split("\r?\n")) {
                if (line.startsWith("redis_version:")) {
                    return line.substring("redis_version:".length());
                }
            }
        }
        return "unknown";
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook runs anyway.
        }
        try (var files = Files.list(workDir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(workDir);
        } catch (IOException e) {
            // A leftover empty temp directory is harmless.
        }
    }
}
