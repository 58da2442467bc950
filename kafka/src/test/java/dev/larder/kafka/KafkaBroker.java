package dev.larder.kafka;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A single-node Kafka broker in KRaft mode (broker and controller in one process) run as a child JVM on loopback, with
 * a storage directory the tests format first; for tests. Not thread-safe. Restartable on the same directory.
 */
public final class KafkaBroker implements AutoCloseable {
    private final Path dir;
    private final int port;
    private Process process;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Formats a storage directory under {@code dir} and starts a broker on it; returns once it answers. */
    public static KafkaBroker start(Path dir) throws IOException, InterruptedException {
        return start(dir, Map.of());
    }

    /** {@link #start(Path)} with broker settings added to (or replacing) the defaults. */
    public static KafkaBroker start(Path dir, Map<String, String> settings) throws IOException, InterruptedException {
        int port = freePort();
        int controller = freePort();
        Files.createDirectories(dir);
        String props = String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dir.resolve("logs"),
                "num.partitions=1",
                "auto.create.topics.enable=false",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                // A machine busy with other builds may delay heartbeats to the controller in this same process by
                // seconds; the default 9 s would fence the broker and leave its partitions without a leader.
                "broker.session.timeout.ms=60000",
                "") + "\n";
        StringBuilder more = new StringBuilder();
        settings.forEach((k, v) -> more.append(k).append('=').append(v).append('\n'));
        // Read by java.util.Properties, where a later line replaces an earlier one of the same key.
        props += more;
        Files.writeString(dir.resolve("server.properties"), props);
        Process format = java(dir, "format.log", "kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", dir.resolve("server.properties").toString());
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("formatting the Kafka storage failed: " + log(dir, "format.log"));
        }
        KafkaBroker b = new KafkaBroker(dir, port);
        b.startProcess();
        return b;
    }

    /** {@code bootstrap.servers} of this broker. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker process (again, after {@link #stop()}) and waits until it answers metadata requests. */
    public void startProcess() throws IOException, InterruptedException {
        process = java(dir, "broker.log", "kafka.Kafka", dir.resolve("server.properties").toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the Kafka broker exited: " + log(dir, "broker.log"));
            }
            if (answers()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker at " + bootstrap() + " did not answer in 120 s: "
                        + log(dir, "broker.log"));
            }
            Thread.sleep(200);
        }
    }

    private boolean answers() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        } catch (IOException e) {
            return false;
        }
        try (Admin a = admin()) {
            a.describeCluster().nodes().get(5, TimeUnit.SECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()));
    }

    /** Creates {@code topic} with {@code partitions} partitions. */
    public void createTopic(String topic, int partitions) throws Exception {
        try (Admin a = admin()) {
            a.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** A producer of string keys and values, acknowledged by the broker before a send completes. */
    public KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Stops the broker process (SIGTERM, then SIGKILL after 60 s). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    /** Kills the broker process (SIGKILL, as {@code kill -9}: no shutdown of any kind) and waits for it to exit. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the Kafka broker at " + bootstrap() + " did not exit on SIGKILL");
            }
        }
    }

    /** Stops the broker and prints the end of its log (test output files keep it; CI shows them on a failure). */
    @Override
    public void close() {
        try {
            stop();
            System.out.println("---- end of the Kafka broker's log ----\n" + log(dir, "broker.log"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private static Process java(Path dir, String logName, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add(main);
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(logName).toFile())).start();
    }

    /** The broker's class path: the one the kafka module wrote when a test's own pins other versions, else ours. */
    private static String classPath() throws IOException {
        String file = System.getProperty("larder.kafka.broker.classpath");
        return file == null ? System.getProperty("java.class.path") : Files.readString(Path.of(file)).trim();
    }

    private static String log(Path dir, String name) {
        try {
            String s = Files.readString(dir.resolve(name));
            return s.length() > 4000 ? s.substring(s.length() - 4000) : s;
        } catch (IOException e) {
            return "(no " + name + ": " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
