package io.postwire.testsupport;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;

/**
 * Runs a single-node Kafka cluster (one KRaft process acting as broker and controller)
 * inside this JVM, listening on 127.0.0.1 only.
 *
 * <p>Meant for tests and the local launcher: replication factors and ISR sizes are 1,
 * topics are never created implicitly, and consumer groups join without the usual
 * rebalance delay.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final int NODE_ID = 1;
    private static final String BROKER_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int BIND_ATTEMPTS = 3;

    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedKafka(KafkaRaftServer server, String bootstrapServers, Path dataDir, boolean ownsDataDir) {
        this.server = server;
        this.bootstrapServers = bootstrapServers;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
    }

    /** Starts a node with its data in a fresh temporary directory, deleted again by {@link #close()}. */
    public static EmbeddedKafka start() {
        return start(null, 0);
    }

    /**
     * Starts a node on a free broker port.
     *
     * @param dataDir where the log and metadata live; kept (and reused on the next start) if
     *                given, or a temporary directory deleted by {@link #close()} if {@code null}
     */
    public static EmbeddedKafka start(Path dataDir) {
        return start(dataDir, 0);
    }

    /**
     * Starts a node and blocks until the broker answers a describe-cluster request.
     *
     * @param dataDir    as for {@link #start(Path)}
     * @param brokerPort the PLAINTEXT port on 127.0.0.1, or 0 for a free one; the controller
     *                   port is always a free one, since clients never talk to it
     */
    public static EmbeddedKafka start(Path dataDir, int brokerPort) {
        EmbeddedLogLevels.quiet();
        boolean ownsDataDir = dataDir == null;
        Path dir = ownsDataDir ? createTempDir() : createDirectories(dataDir);
        try {
            return startOn(dir, ownsDataDir, brokerPort);
        } catch (RuntimeException | Error e) {
            if (ownsDataDir) {
                deleteRecursively(dir);
            }
            throw e;
        }
    }

    private static EmbeddedKafka startOn(Path dir, boolean ownsDataDir, int brokerPort) {
        // Free ports are only free until someone binds them; with a random broker port a
        // lost race is retried on new ports instead of failing the test run. A fixed port
        // that is taken stays taken, so that failure is reported at once.
        for (int attempt = 1; ; attempt++) {
            int[] ports = LoopbackPorts.pick(2);
            int broker = brokerPort == 0 ? ports[0] : brokerPort;
            int controller = ports[1];
            KafkaConfig config = KafkaConfig.fromProps(serverProperties(dir, broker, controller), false);
            formatIfNew(dir);
            KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
            try {
                server.startup();
                String bootstrap = "127.0.0.1:" + broker;
                awaitBroker(bootstrap);
                return new EmbeddedKafka(server, bootstrap, dir, ownsDataDir);
            } catch (RuntimeException e) {
                stop(server);
                if (brokerPort != 0 || !causedByBind(e) || attempt == BIND_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /** The {@code host:port} list for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** Where this node keeps its log and metadata. */
    public Path dataDir() {
        return dataDir;
    }

    /**
     * Stops the node and, if {@link #start(Path)} created the data directory, deletes it.
     * Safe to call twice, e.g. from a shutdown hook and a {@code finally}.
     */
    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        stop(server);
        if (ownsDataDir) {
            deleteRecursively(dataDir);
        }
    }

    private static Properties serverProperties(Path dir, int brokerPort, int controllerPort) {
        Properties props = new Properties();
        props.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", String.valueOf(NODE_ID)),
                // A static one-voter quorum: the node elects itself at once and needs no
                // dynamic-quorum bootstrap snapshot.
                Map.entry("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort),
                Map.entry("controller.listener.names", CONTROLLER_LISTENER),
                Map.entry("listeners", BROKER_LISTENER + "://127.0.0.1:" + brokerPort
                        + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", BROKER_LISTENER + "://127.0.0.1:" + brokerPort),
                Map.entry("inter.broker.listener.name", BROKER_LISTENER),
                Map.entry("listener.security.protocol.map",
                        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT"),
                Map.entry("log.dirs", dir.toString()),
                // One node cannot hold more than one replica of anything.
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("min.insync.replicas", "1"),
                // The internal topics default to 50 partitions each; one is plenty here and
                // makes the first consumer-group join and transaction noticeably faster.
                Map.entry("offsets.topic.num.partitions", "1"),
                Map.entry("transaction.state.log.num.partitions", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                // Topics are part of the application's contract; a typo must fail, not create one.
                Map.entry("auto.create.topics.enable", "false"),
                Map.entry("num.partitions", "1")));
        // log.flush.* stay at their defaults: durability comes from the page cache, as in production.
        return props;
    }

    /**
     * Writes meta.properties and the bootstrap metadata, as {@code kafka-storage.sh format}
     * would; a directory formatted by an earlier run is reused with its topics and offsets.
     */
    private static void formatIfNew(Path dir) {
        if (Files.exists(dir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .addDirectory(dir.toString())
                    .setMetadataLogDirectory(dir.toString())
                    .setControllerListenerName(CONTROLLER_LISTENER)
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + dir, e);
        }
    }

    /** Returns once the broker serves metadata, which is when clients can use it. */
    private static void awaitBroker(String bootstrap) {
        Map<String, Object> adminConfig = Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(adminConfig)) {
            while (true) {
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka at " + bootstrap + " did not become ready", e);
                    }
                }
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Kafka at " + bootstrap, e);
        }
    }

    private static void stop(KafkaRaftServer server) {
        server.shutdown();
        server.awaitShutdown();
    }

    private static boolean causedByBind(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    private static Path createTempDir() {
        try {
            return Files.createTempDirectory("postwire-kafka-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path createDirectories(Path dir) {
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            // Children sort after their parent, so reverse order deletes files before directories.
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + dir, e);
        }
    }
}
