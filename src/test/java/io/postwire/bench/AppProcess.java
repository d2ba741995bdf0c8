package io.postwire.bench;

import static io.postwire.bench.BenchLog.log;

import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.PostwireProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app/quarkus-run.jar}) as a child process,
 * wired by environment variables to the embedded broker and database, smtp-sink and the bench's
 * DKIM key.
 *
 * <p>A separate process, not an in-JVM Quarkus test, so that its CPU and RSS can be read from
 * {@code /proc} apart from the broker and the load generator that share the bench's JVM.
 */
final class AppProcess {

    static final Path JAR = PostwireProcess.JAR;

    private final BenchOptions options;
    private final Path logFile;
    private final Map<String, String> wiring;
    private final int httpPort;
    private final Teardown teardown;
    private final List<String> systemProperties;
    private Process process;

    AppProcess(BenchOptions options, Path work, EmbeddedKafka kafka, EmbeddedPg pg, int httpPort, int sinkPort,
            String apiKey, BenchDkimKey dkim, Teardown teardown) {
        this(options, work, kafka, pg, httpPort, Map.of(
                "POSTWIRE_RELAY_HOST", "127.0.0.1",
                "POSTWIRE_RELAY_PORT", Integer.toString(sinkPort),
                "POSTWIRE_RELAY_TLS", "off"), List.of(), apiKey, dkim, teardown);
    }

    /**
     * An app whose delivery route is given by {@code route} (the relay variables, or for direct to MX
     * {@code POSTWIRE_DNS_SERVERS} and {@code POSTWIRE_MX_PORT}), with {@code systemProperties}
     * ({@code -Dkey=value}, e.g. shaping limits, which environment variables cannot name) before
     * {@code -jar}.
     */
    AppProcess(BenchOptions options, Path work, EmbeddedKafka kafka, EmbeddedPg pg, int httpPort,
            Map<String, String> route, List<String> systemProperties, String apiKey, BenchDkimKey dkim,
            Teardown teardown) {
        this.options = options;
        this.logFile = work.resolve("app.log");
        this.httpPort = httpPort;
        this.teardown = teardown;
        this.systemProperties = List.copyOf(systemProperties);
        Map<String, String> env = new HashMap<>(PostwireProcess.wiring(kafka, pg));
        env.putAll(Map.ofEntries(
                Map.entry("QUARKUS_HTTP_PORT", Integer.toString(httpPort)),
                Map.entry("QUARKUS_HTTP_HOST", "127.0.0.1"),
                Map.entry("POSTWIRE_API_KEYS", apiKey),
                Map.entry("POSTWIRE_DKIM_DOMAIN", BenchDkimKey.DOMAIN),
                Map.entry("POSTWIRE_DKIM_SELECTOR", BenchDkimKey.SELECTOR),
                Map.entry("POSTWIRE_DKIM_KEY_FILE", dkim.keyFile().toString()),
                Map.entry("POSTWIRE_KAFKA_PARTITIONS", Integer.toString(options.partitions())),
                Map.entry("POSTWIRE_PROJECTION_ENABLED", Boolean.toString(options.projections()))));
        env.putAll(route);
        this.wiring = Map.copyOf(env);
    }

    /** @throws IllegalArgumentException if the app has not been packaged (a usage error) */
    static void requirePackaged() {
        Path jar = JAR.toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalArgumentException(jar + " is missing: build with ./mvnw -o -q -DskipTests package");
        }
    }

    /**
     * Starts the app. For phase 1 waits until it is ready; for phase 2 returns at once, because the
     * preload drain is timed from the launch and start-up is part of it.
     */
    void start(boolean phase2) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!options.appJvmOpts().isBlank()) {
            cmd.addAll(Arrays.asList(options.appJvmOpts().trim().split("\\s+")));
        }
        if (phase2 && options.jfrFile() != null) {
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + options.jfrFile());
        }
        cmd.addAll(systemProperties);
        cmd.add("-jar");
        cmd.add(JAR.toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        Map<String, String> env = pb.environment();
        // direct to MX means no relay at all, whatever the bench's own environment says
        env.remove("POSTWIRE_RELAY_HOST");
        env.putAll(wiring);
        if (options.maxInFlight() != null) {
            env.put("POSTWIRE_DISPATCH_MAX_IN_FLIGHT", options.maxInFlight().toString());
        }
        if (options.relayConnections() != null) {
            env.put("POSTWIRE_RELAY_MAX_CONNECTIONS", options.relayConnections().toString());
        }
        // last, so that --env can override any of the above
        env.putAll(options.extraEnv());
        process = pb.start();
        Process started = process;
        teardown.first(() -> Teardown.stopProcess(started, 30));
        if (phase2) {
            return;
        }
        awaitReady(Duration.ofSeconds(120));
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < 10_000 && System.nanoTime() < deadline; i++) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the app exited with " + process.exitValue() + "; see " + logFile);
            }
            try {
                if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the app was not ready within " + timeout + "; see " + logFile);
    }

    void stop() {
        Teardown.stopProcess(process, 30);
    }

    long pid() {
        return process.pid();
    }

    Path logFile() {
        return logFile;
    }

    /** Runs {@code jcmd <pid> args...} against the running app, e.g. to start or stop JFR. */
    void jcmd(String... args) throws Exception {
        String out = jcmdOutput(args);
        log("jcmd %s: %s", String.join(" ", args), out.replace('\n', ' '));
    }

    /** Runs {@code jcmd <pid> args...} and returns what it printed. */
    String jcmdOutput(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(process.pid()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        return out;
    }
}
