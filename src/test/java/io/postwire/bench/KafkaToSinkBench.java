package io.postwire.bench;

import io.postwire.bus.SendKeys;
import io.postwire.bus.Topics;
import io.postwire.dkim.DkimKeys;
import io.postwire.event.Delivered;
import io.postwire.event.EventCodec;
import io.postwire.event.EventEnvelope;
import io.postwire.event.PostwireEvent;
import io.postwire.event.SendRequested;
import io.postwire.testsupport.Dkimpy;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka-to-SMTP benchmark: N {@code SendRequested} records of 5 KB on {@code postwire.send.v1},
 * measured until Postfix's {@code smtp-sink} has counted all N, DKIM-signed.
 *
 * <p>Runs everything on 127.0.0.1: an embedded Kafka broker and PostgreSQL (temporary
 * directories), smtp-sink on a free port, and the packaged application
 * ({@code target/quarkus-app/quarkus-run.jar}) as a child process with DKIM on for the sender
 * domain. Phase 1 sends a few messages with smtp-sink dumping them and verifies every one with
 * dkimpy; phase 2 restarts smtp-sink in counting mode and times N messages. See
 * {@code docs/benchmarks.md} for the command lines and what each figure means.
 *
 * <p>Modes: {@code concurrent} produces the N records while the running application drains
 * them; {@code preload} stops the application after phase 1, writes all N records, then starts
 * it again and times the pure drain.
 */
public final class KafkaToSinkBench {

    private static final String SMTP_SINK = "/usr/sbin/smtp-sink";
    private static final String DKIM_DOMAIN = "example.test";
    private static final String DKIM_SELECTOR = "bench";
    private static final String SENDER = "bench@" + DKIM_DOMAIN;
    private static final Pattern MESG = Pattern.compile("mesg=(\\d+)");
    private static final long CLK_TCK = 100; // Linux USER_HZ

    // ---------------------------------------------------------------- options

    private int messages = 20_000;
    private int bodyBytes = 5 * 1024;
    private int domains = 100;
    private int partitions = 6;
    private String mode = "concurrent";
    private boolean projections = true;
    private Integer maxInFlight;
    private Integer relayConnections;
    private int dkimSample = 20;
    /** Offered load of the timed produce in msgs/s; 0 = as fast as the producer goes. */
    private double rate;
    private long timeoutSeconds = 600;
    private long stallSeconds = 60;
    private String label;
    private Path resultsFile = Path.of("target", "bench", "kafka-to-sink.jsonl");
    private Path jfrFile;
    private String appJvmOpts = "";
    private final Map<String, String> extraEnv = new LinkedHashMap<>();
    private Path verifier = Path.of("/work/shared/bench/dkim-verify-dump.py");
    private boolean keep;

    // ---------------------------------------------------------------- state

    private final List<Runnable> cleanups = Collections.synchronizedList(new ArrayList<>());
    private final EventCodec codec = new EventCodec();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private Path work;
    private Process app;
    private Sink sink;
    private int sinkPort;
    private int httpPort;
    private Path keyFile;
    private Path txtFile;
    private EmbeddedKafka kafka;
    private EmbeddedPg pg;

    public static void main(String[] args) throws Exception {
        KafkaToSinkBench bench = new KafkaToSinkBench();
        Thread hook = new Thread(bench::cleanup, "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        int rc;
        try {
            bench.parse(args);
            rc = bench.run();
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            rc = 2;
        } catch (Throwable e) {
            e.printStackTrace();
            rc = 1;
        } finally {
            bench.cleanup();
        }
        Runtime.getRuntime().removeShutdownHook(hook);
        System.exit(rc);
    }

    private void parse(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(String.join("\n",
                        "KafkaToSinkBench options:",
                        "  --messages N            timed messages (default 20000)",
                        "  --body-bytes B          text body size (default 5120)",
                        "  --domains D             distinct recipient domains = send keys (default 100)",
                        "  --partitions P          partitions of the postwire topics (default 6, the app default)",
                        "  --mode concurrent|preload",
                        "  --projections on|off    POSTWIRE_PROJECTION_ENABLED (default on)",
                        "  --max-in-flight N       POSTWIRE_DISPATCH_MAX_IN_FLIGHT (default: app default 1000)",
                        "  --relay-connections N   POSTWIRE_RELAY_MAX_CONNECTIONS (default: app default 20)",
                        "  --env K=V               any further variable for the app (repeatable)",
                        "  --app-jvm-opts 'OPTS'   JVM options for the app",
                        "  --jfr FILE              JFR recording (settings=profile) of the app during phase 2",
                        "  --rate R                pace the timed produce at R msgs/s (default 0 = unpaced)",
                        "  --dkim-sample K         phase-1 messages verified with dkimpy (default 20)",
                        "  --timeout S / --stall S phase-2 bounds (default 600 / 60)",
                        "  --label L               label in the result line",
                        "  --results-file F        JSON lines appended (default target/bench/kafka-to-sink.jsonl)",
                        "  --keep                  keep the work directory (app log, dumps)"));
                System.exit(0);
            }
            if (i + 1 >= args.length && !a.equals("--keep")) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            switch (a) {
                case "--messages" -> messages = Integer.parseInt(args[++i]);
                case "--body-bytes" -> bodyBytes = Integer.parseInt(args[++i]);
                case "--domains" -> domains = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--mode" -> mode = args[++i];
                case "--projections" -> projections = onOff(args[++i]);
                case "--max-in-flight" -> maxInFlight = Integer.parseInt(args[++i]);
                case "--relay-connections" -> relayConnections = Integer.parseInt(args[++i]);
                case "--env" -> {
                    String kv = args[++i];
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--env wants K=V, got " + kv);
                    }
                    extraEnv.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                case "--app-jvm-opts" -> appJvmOpts = args[++i];
                case "--jfr" -> jfrFile = Path.of(args[++i]).toAbsolutePath();
                case "--dkim-sample" -> dkimSample = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Double.parseDouble(args[++i]);
                case "--timeout" -> timeoutSeconds = Long.parseLong(args[++i]);
                case "--stall" -> stallSeconds = Long.parseLong(args[++i]);
                case "--label" -> label = args[++i];
                case "--results-file" -> resultsFile = Path.of(args[++i]);
                case "--verifier" -> verifier = Path.of(args[++i]);
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option " + a + " (try --help)");
            }
        }
        if (!mode.equals("concurrent") && !mode.equals("preload")) {
            throw new IllegalArgumentException("--mode must be concurrent or preload");
        }
        if (messages < 1 || messages > 1_000_000 || dkimSample < 1 || dkimSample > 1000 || domains < 1) {
            throw new IllegalArgumentException("--messages 1..1000000, --dkim-sample 1..1000, --domains >= 1");
        }
        if (rate < 0 || (rate > 0 && mode.equals("preload"))) {
            throw new IllegalArgumentException("--rate must be >= 0 and is for --mode concurrent only");
        }
        if (label == null) {
            label = "postwire-" + mode + "-proj" + (projections ? "on" : "off") + (rate > 0 ? "-rate" + (long) rate : "");
        }
    }

    private static boolean onOff(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("on or off expected, got " + v);
        };
    }

    // ---------------------------------------------------------------- the run

    private int run() throws Exception {
        Path jar = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();
        if (!Files.exists(jar)) {
            throw new IllegalArgumentException(jar + " is missing: build with ./mvnw -o -q -DskipTests package");
        }
        if (!Files.isExecutable(Path.of(SMTP_SINK))) {
            throw new IllegalArgumentException(SMTP_SINK + " is missing: apt-get install postfix");
        }
        double load1Start = load1();
        log("load1 %.2f, %d CPUs, mode %s, projections %s, N=%d, body %d B, %d domains, %d partitions",
                load1Start, Runtime.getRuntime().availableProcessors(), mode, projections ? "on" : "off",
                messages, bodyBytes, domains, partitions);
        work = Files.createTempDirectory("postwire-bench-");
        // smtp-sink runs as nobody and must reach the dump directory inside.
        Files.setPosixFilePermissions(work, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        cleanups.add(() -> {
            if (!keep) {
                deleteRecursively(work);
            } else {
                log("work directory kept: %s", work);
            }
        });

        // Infrastructure
        kafka = EmbeddedKafka.start();
        cleanups.add(0, kafka::close);
        pg = EmbeddedPg.start();
        cleanups.add(0, pg::close);
        createTopics();

        // DKIM key for the sender domain
        KeyPair keys = DkimKeys.generateRsa2048();
        keyFile = Files.writeString(work.resolve("dkim.pem"), DkimKeys.toPkcs8Pem(keys.getPrivate()));
        Files.setPosixFilePermissions(keyFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        txtFile = Files.writeString(work.resolve("dkim.txt"), DkimKeys.dnsTxtRecord(keys.getPublic()));

        sinkPort = freePort();
        httpPort = freePort();

        // Phase 1: dumping sink, a few messages, every one verified by dkimpy
        Path dumpDir = work.resolve("dump");
        Files.createDirectories(dumpDir);
        chownNobody(dumpDir);
        sink = Sink.start(sinkPort, dumpDir, work.resolve("sink-phase1.log"));
        cleanups.add(0, () -> sink.stop());
        startApp(false);

        EventTap tap = new EventTap(kafka.bootstrapServers(), codec);
        cleanups.add(0, tap::close);
        String checkPrefix = "check-" + runId + "-";
        try (KafkaProducer<String, byte[]> producer = producer()) {
            produce(producer, checkPrefix, dkimSample, tap::arm);
            producer.flush();
        }
        if (!sink.awaitCount(dkimSample, Duration.ofSeconds(120), Duration.ofSeconds(60))
                || !tap.awaitDelivered(checkPrefix, dkimSample, Duration.ofSeconds(30))) {
            throw new IllegalStateException("phase 1: sink counted " + sink.count() + ", Delivered "
                    + tap.delivered(checkPrefix) + " of " + dkimSample + "; other outcomes " + tap.others(checkPrefix)
                    + "; app log " + work.resolve("app.log"));
        }
        Thread.sleep(300);
        sink.stop();
        String dkimResult = verifyDumps(dumpDir);
        log("phase 1: %s", dkimResult);
        Matcher dkimCount = Pattern.compile("^dkim verified (\\d+)/(\\d+)").matcher(dkimResult);
        boolean dkimOk = dkimCount.find() && dkimCount.group(1).equals(dkimCount.group(2))
                && Integer.parseInt(dkimCount.group(1)) > 0;

        // Phase 2
        Thread.sleep(1000);
        sink = Sink.start(sinkPort, null, work.resolve("sink-phase2.log"));
        String prefix = "bench-" + runId + "-";
        Map<String, Object> r = new LinkedHashMap<>();
        CpuSample sys0;
        Map<Long, Long> pg0 = new HashMap<>();
        long appCpu0;
        long benchCpu0;
        long t0Nanos;
        long produceStartNanos;
        long produceEndNanos;
        Instant t0Wall;
        if (mode.equals("preload")) {
            stopApp();
            try (KafkaProducer<String, byte[]> producer = producer()) {
                produceStartNanos = System.nanoTime();
                produce(producer, prefix, messages, tap::arm);
                producer.flush();
                produceEndNanos = System.nanoTime();
            }
            log("preloaded %d records in %.2f s", messages, (produceEndNanos - produceStartNanos) / 1e9);
            Thread.sleep(2000); // let the broker's flush and the page cache settle
            sys0 = CpuSample.read();
            pg0 = postgresTicks();
            benchCpu0 = cpuTicks(ProcessHandle.current().pid());
            t0Nanos = System.nanoTime();
            t0Wall = Instant.now();
            startApp(true);
            appCpu0 = 0;
        } else {
            if (jfrFile != null) {
                jcmd("JFR.start", "name=bench", "settings=profile", "filename=" + jfrFile);
            }
            sys0 = CpuSample.read();
            pg0 = postgresTicks();
            appCpu0 = cpuTicks(app.pid());
            benchCpu0 = cpuTicks(ProcessHandle.current().pid());
            try (KafkaProducer<String, byte[]> producer = producer()) {
                t0Nanos = System.nanoTime();
                t0Wall = Instant.now();
                produceStartNanos = t0Nanos;
                produce(producer, prefix, messages, tap::arm, rate);
                producer.flush();
                produceEndNanos = System.nanoTime();
            }
            log("produced %d records in %.2f s", messages, (produceEndNanos - produceStartNanos) / 1e9);
        }
        long deadlineSeconds = timeoutSeconds;
        boolean reached = sink.awaitCount(messages, Duration.ofSeconds(deadlineSeconds), Duration.ofSeconds(stallSeconds));
        long endNanos = reached ? sink.reachedNanos() : System.nanoTime();
        CpuSample sys1 = CpuSample.read();
        long appCpu1 = cpuTicks(app.pid());
        long benchCpu1 = cpuTicks(ProcessHandle.current().pid());
        long sinkCpu = cpuTicks(sink.pid());
        Map<Long, Long> pg1 = postgresTicks();
        long pgCpu = 0;
        for (var e : pg1.entrySet()) {
            pgCpu += e.getValue() - pg0.getOrDefault(e.getKey(), 0L);
        }
        long hwmKb = procStatusKb(app.pid(), "VmHWM");
        long rssKb = procStatusKb(app.pid(), "VmRSS");
        if (jfrFile != null && mode.equals("concurrent")) {
            jcmd("JFR.stop", "name=bench");
        }
        boolean allDelivered = tap.awaitDelivered(prefix, messages, Duration.ofSeconds(reached ? 60 : 5));
        double seconds = (endNanos - t0Nanos) / 1e9;
        List<Long> lat = tap.latenciesMillis(prefix);
        Collections.sort(lat);

        r.put("label", label);
        r.put("time", t0Wall.toString());
        r.put("load1_before", load1Start);
        r.put("load1_phase2_start", sys0.load1);
        r.put("mode", mode);
        r.put("projections", projections);
        r.put("messages", messages);
        r.put("offered_rate", rate > 0 ? rate : "unpaced");
        r.put("body_bytes", bodyBytes);
        r.put("domains", domains);
        r.put("partitions", partitions);
        r.put("max_in_flight", maxInFlight == null ? "default(1000)" : maxInFlight);
        r.put("relay_connections", relayConnections == null ? "default(20)" : relayConnections);
        r.put("extra_env", extraEnv);
        r.put("app_jvm_opts", appJvmOpts);
        r.put("reached", reached);
        r.put("sink_count", sink.count());
        r.put("seconds", round(seconds, 3));
        r.put("msgs_per_s", round(reached ? messages / seconds : sink.count() / seconds, 1));
        r.put("produce_seconds", round((produceEndNanos - produceStartNanos) / 1e9, 3));
        if (sink.firstNanos() > 0) {
            double drain = (endNanos - sink.firstNanos()) / 1e9;
            r.put("first_delivery_after_s", round((sink.firstNanos() - t0Nanos) / 1e9, 3));
            r.put("drain_msgs_per_s", round(reached ? messages / drain : sink.count() / drain, 1));
        }
        r.put("delivered_events", lat.size());
        r.put("other_outcomes", tap.others(prefix));
        r.put("latency_ms_p50", percentile(lat, 50));
        r.put("latency_ms_p99", percentile(lat, 99));
        r.put("latency_ms_max", lat.isEmpty() ? null : lat.get(lat.size() - 1));
        r.put("app_peak_rss_mb", round(hwmKb / 1024.0, 1));
        r.put("app_rss_end_mb", round(rssKb / 1024.0, 1));
        double appCpuS = (appCpu1 - appCpu0) / (double) CLK_TCK;
        r.put("app_cpu_s", round(appCpuS, 2));
        r.put("app_cpu_ms_per_msg", round(appCpuS * 1000 / messages, 3));
        r.put("bench_jvm_cpu_s", round((benchCpu1 - benchCpu0) / (double) CLK_TCK, 2)
                /* Kafka broker, producer and event tap live in this JVM */);
        r.put("sink_cpu_s", round(sinkCpu / (double) CLK_TCK, 2));
        r.put("postgres_cpu_s", round(pgCpu / (double) CLK_TCK, 2));
        double busyS = sys1.busySecondsSince(sys0);
        r.put("machine_busy_pct", round(sys1.busyPercentSince(sys0), 1));
        r.put("machine_busy_cpu_s", round(busyS, 2));
        // whatever else ran on the machine meanwhile (other builds on a shared box)
        r.put("other_processes_cpu_s", round(busyS - appCpuS - (benchCpu1 - benchCpu0) / (double) CLK_TCK
                - sinkCpu / (double) CLK_TCK - pgCpu / (double) CLK_TCK, 2));
        r.put("dkim", dkimResult);
        if (jfrFile != null) {
            r.put("jfr", jfrFile.toString());
        }

        String line = String.format(Locale.ROOT,
                "%s: %d msgs, %d B body: %s %.1f msg/s (%.2f s), p50 %s ms, p99 %s ms, app peak RSS %.0f MB, app CPU %.1f s (%.2f ms/msg), machine busy %.0f%%, %s, load1 %.2f",
                label, messages, bodyBytes, reached ? "kafka->sink" : "INCOMPLETE", r.get("msgs_per_s"), seconds,
                r.get("latency_ms_p50"), r.get("latency_ms_p99"), hwmKb / 1024.0, appCpuS, appCpuS * 1000 / messages,
                r.get("machine_busy_pct"), dkimResult, load1Start);
        System.out.println(line);
        Files.createDirectories(resultsFile.toAbsolutePath().getParent());
        Files.writeString(resultsFile, toJson(r) + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        log("result appended to %s", resultsFile.toAbsolutePath());
        return reached && allDelivered && dkimOk ? 0 : 1;
    }

    // ---------------------------------------------------------------- app process

    private void startApp(boolean phase2) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (!appJvmOpts.isBlank()) {
            cmd.addAll(Arrays.asList(appJvmOpts.trim().split("\\s+")));
        }
        if (phase2 && jfrFile != null) {
            cmd.add("-XX:StartFlightRecording=settings=profile,filename=" + jfrFile);
        }
        cmd.add("-jar");
        cmd.add(Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath().toString());
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("app.log").toFile()));
        Map<String, String> env = pb.environment();
        env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", pg.username());
        env.put("QUARKUS_DATASOURCE_PASSWORD", pg.password());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("POSTWIRE_API_KEYS", "bench-" + runId);
        env.put("POSTWIRE_RELAY_HOST", "127.0.0.1");
        env.put("POSTWIRE_RELAY_PORT", Integer.toString(sinkPort));
        env.put("POSTWIRE_RELAY_TLS", "off");
        env.put("POSTWIRE_DKIM_DOMAIN", DKIM_DOMAIN);
        env.put("POSTWIRE_DKIM_SELECTOR", DKIM_SELECTOR);
        env.put("POSTWIRE_DKIM_KEY_FILE", keyFile.toString());
        env.put("POSTWIRE_KAFKA_PARTITIONS", Integer.toString(partitions));
        env.put("POSTWIRE_PROJECTION_ENABLED", Boolean.toString(projections));
        if (maxInFlight != null) {
            env.put("POSTWIRE_DISPATCH_MAX_IN_FLIGHT", maxInFlight.toString());
        }
        if (relayConnections != null) {
            env.put("POSTWIRE_RELAY_MAX_CONNECTIONS", relayConnections.toString());
        }
        env.putAll(extraEnv);
        app = pb.start();
        Process started = app;
        cleanups.add(0, () -> stopProcess(started, 30));
        if (phase2) {
            return; // the drain is timed from the launch; readiness is not awaited
        }
        awaitReady(Duration.ofSeconds(120));
    }

    private void awaitReady(Duration timeout) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < 10_000 && System.nanoTime() < deadline; i++) {
            if (!app.isAlive()) {
                throw new IllegalStateException("the app exited with " + app.exitValue() + "; see " + work.resolve("app.log"));
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
        throw new IllegalStateException("the app was not ready within " + timeout + "; see " + work.resolve("app.log"));
    }

    private void stopApp() {
        stopProcess(app, 30);
    }

    private static void stopProcess(Process p, int seconds) {
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void jcmd(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
        cmd.add(Long.toString(app.pid()));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        log("jcmd %s: %s", String.join(" ", args), out.replace('\n', ' '));
    }

    // ---------------------------------------------------------------- Kafka

    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<NewTopic> topics = Topics.all(partitions).stream()
                    .map(d -> new NewTopic(d.name(), d.partitions(), (short) 1).configs(d.configs()))
                    .toList();
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private KafkaProducer<String, byte[]> producer() {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        c.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_MESSAGE_BYTES);
        c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
        c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        c.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        c.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        c.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
        return new KafkaProducer<>(c);
    }

    /** Writes {@code count} SendRequested records, requestedAt = the moment each is handed to the producer. */
    private void produce(KafkaProducer<String, byte[]> producer, String prefix, int count, Runnable beforeFirst) {
        produce(producer, prefix, count, beforeFirst, 0);
    }

    private void produce(KafkaProducer<String, byte[]> producer, String prefix, int count, Runnable beforeFirst,
            double perSecond) {
        beforeFirst.run();
        long start = System.nanoTime();
        String body = body(bodyBytes);
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (int i = 0; i < count; i++) {
            if (perSecond > 0) {
                long due = start + (long) (i * 1e9 / perSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
            }
            String messageId = prefix + i;
            String recipient = "user" + i + "@d" + (i % domains) + ".bench.test";
            SendRequested s = new SendRequested(messageId, messageId + ".0", SENDER, recipient, "Bench",
                    List.of(recipient), List.of(), "Benchmark message " + i, body, null, null, Map.of(), List.of(),
                    null, Instant.now(), null);
            EventEnvelope env = EventEnvelope.of("postwire/bench", Instant.now(), s);
            producer.send(new ProducerRecord<>(Topics.SEND, SendKeys.siteKey(s), codec.write(env)), (md, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                }
            });
            if (failure.get() != null) {
                throw new IllegalStateException("produce failed", failure.get());
            }
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("produce failed", failure.get());
        }
    }

    /** Plain ASCII text lines of 72 characters plus CRLF-free newlines, {@code bytes} long. */
    static String body(int bytes) {
        String line = "The quick brown fox jumps over the lazy dog; Postwire benchmark body..\n";
        StringBuilder sb = new StringBuilder(bytes);
        while (sb.length() + line.length() <= bytes) {
            sb.append(line);
        }
        while (sb.length() < bytes - 1) {
            sb.append('x');
        }
        if (sb.length() < bytes) {
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Reads postwire.events.v1 from its end, remembering the outcome of every bench message. */
    static final class EventTap implements AutoCloseable {
        private final KafkaConsumer<String, byte[]> consumer;
        private final EventCodec codec;
        private final Map<String, Long> deliveredLatency = new ConcurrentHashMap<>();
        private final Map<String, String> others = new ConcurrentHashMap<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final Thread thread;
        private volatile boolean armed;

        EventTap(String bootstrap, EventCodec codec) {
            this.codec = codec;
            Map<String, Object> c = new HashMap<>();
            c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
            c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
            consumer = new KafkaConsumer<>(c);
            List<TopicPartition> parts = consumer.partitionsFor(Topics.EVENTS, Duration.ofSeconds(30)).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts); // topics are new: the beginning is the start of this run
            parts.forEach(consumer::position);
            thread = new Thread(this::loop, "bench-event-tap");
            thread.setDaemon(true);
        }

        void arm() {
            if (!armed) {
                armed = true;
                thread.start();
            }
        }

        private void loop() {
            while (!stop.get()) {
                try {
                    for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                        EventEnvelope env = codec.read(rec.value());
                        PostwireEvent e = env.data();
                        if (e instanceof Delivered d) {
                            deliveredLatency.put(d.messageId(), Duration.between(d.requestedAt(), env.time()).toMillis());
                        } else {
                            others.put(e.messageId() + "#" + env.type().typeName(), "");
                        }
                    }
                } catch (org.apache.kafka.common.errors.WakeupException e) {
                    return;
                } catch (RuntimeException e) {
                    System.err.println("event tap: " + e);
                }
            }
        }

        boolean awaitDelivered(String prefix, int n, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (int i = 0; i < 1_000_000 && System.nanoTime() < deadline; i++) {
                if (delivered(prefix) >= n) {
                    return true;
                }
                Thread.sleep(100);
            }
            return delivered(prefix) >= n;
        }

        long delivered(String prefix) {
            return deliveredLatency.keySet().stream().filter(k -> k.startsWith(prefix)).count();
        }

        List<Long> latenciesMillis(String prefix) {
            return deliveredLatency.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .map(Map.Entry::getValue).collect(Collectors.toCollection(ArrayList::new));
        }

        /** Counts of non-Delivered outcome events per type for this prefix. */
        Map<String, Long> others(String prefix) {
            Map<String, Long> counts = new TreeMap<>();
            for (String k : others.keySet()) {
                if (k.startsWith(prefix)) {
                    String type = k.substring(k.lastIndexOf('#') + 1);
                    counts.merge(type, 1L, Long::sum);
                }
            }
            return counts;
        }

        @Override
        public void close() {
            stop.set(true);
            consumer.wakeup();
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (!thread.isAlive()) {
                consumer.close(Duration.ofSeconds(5));
            }
        }
    }

    // ---------------------------------------------------------------- smtp-sink

    /** smtp-sink with {@code -c}; its counter stream is read from the pipe and timestamped. */
    static final class Sink {
        private final Process process;
        private final AtomicLong count = new AtomicLong();
        private volatile long firstNanos;
        private volatile long reachedNanos;
        private volatile long target = Long.MAX_VALUE;
        private final Thread reader;

        private Sink(Process process) {
            this.process = process;
            this.reader = new Thread(this::read, "bench-sink-counter");
            reader.setDaemon(true);
            reader.setPriority(Thread.MAX_PRIORITY);
            reader.start();
        }

        static Sink start(int port, Path dumpDir, Path log) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(SMTP_SINK, "-c", "-h", "sink.example.test"));
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("-u", "nobody"));
            }
            if (dumpDir != null) {
                cmd.addAll(List.of("-d", dumpDir + "/"));
            }
            cmd.addAll(List.of("127.0.0.1:" + port, "1024"));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            Sink sink = new Sink(p);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            for (int i = 0; i < 200 && System.nanoTime() < deadline; i++) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("smtp-sink exited: " + Files.readString(log));
                }
                try (var s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                    return sink;
                } catch (IOException e) {
                    Thread.sleep(50);
                }
            }
            sink.stop();
            throw new IllegalStateException("smtp-sink did not listen on 127.0.0.1:" + port);
        }

        private void read() {
            byte[] buf = new byte[1 << 16];
            StringBuilder pending = new StringBuilder();
            try (InputStream in = process.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    long now = System.nanoTime();
                    pending.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int cut = pending.lastIndexOf("\r");
                    if (cut < 0) {
                        if (pending.length() > 8192) {
                            pending.delete(0, pending.length() - 4096);
                        }
                        continue;
                    }
                    String complete = pending.substring(0, cut);
                    pending.delete(0, cut + 1);
                    int prev = complete.lastIndexOf('\r');
                    Matcher m = MESG.matcher(prev < 0 ? complete : complete.substring(prev + 1));
                    if (m.find()) {
                        long c = Long.parseLong(m.group(1));
                        count.set(c);
                        if (c > 0 && firstNanos == 0) {
                            firstNanos = now;
                        }
                        if (c >= target && reachedNanos == 0) {
                            reachedNanos = now;
                        }
                    }
                }
            } catch (IOException e) {
                // the sink was stopped
            }
        }

        /** Waits for the count, bounded by a timeout and by a stall (no progress) limit. */
        boolean awaitCount(long n, Duration timeout, Duration stall) throws InterruptedException {
            target = n;
            if (count.get() >= n && reachedNanos == 0) {
                reachedNanos = System.nanoTime();
            }
            long start = System.nanoTime();
            long deadline = start + timeout.toNanos();
            long last = -1;
            long since = start;
            long nextLog = start + TimeUnit.SECONDS.toNanos(5);
            for (int i = 0; i < 10_000_000; i++) {
                if (reachedNanos != 0) {
                    return true;
                }
                long now = System.nanoTime();
                long c = count.get();
                if (c != last) {
                    last = c;
                    since = now;
                }
                if (now > deadline || now - since > stall.toNanos() || !process.isAlive()) {
                    log("sink gave up at %d/%d (%s)", c, n, now > deadline ? "timeout" : !process.isAlive() ? "sink died" : "stalled");
                    return false;
                }
                if (now > nextLog) {
                    nextLog = now + TimeUnit.SECONDS.toNanos(5);
                    log("sink count %d/%d, load1 %.2f", c, n, load1());
                }
                Thread.sleep(20);
            }
            return false;
        }

        long count() {
            return count.get();
        }

        long firstNanos() {
            return firstNanos;
        }

        long reachedNanos() {
            return reachedNanos;
        }

        long pid() {
            return process.pid();
        }

        void stop() {
            stopProcess(process, 10);
            try {
                reader.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- DKIM check

    private String verifyDumps(Path dumpDir) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.walk(dumpDir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        if (Files.isExecutable(verifier)) {
            Process p = new ProcessBuilder(verifier.toString(), "--pubkey-file", txtFile.toString(), "--selector",
                    DKIM_SELECTOR, "--domain", DKIM_DOMAIN, dumpDir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "dkim verify timed out";
            }
            out.lines().filter(l -> l.startsWith("FAIL")).forEach(l -> log("dkim: %s", l));
            String last = out.lines().reduce((a, b) -> b).orElse("");
            return last + " (dkimpy via " + verifier.getFileName() + ", " + files.size() + " dumps)";
        }
        // Fallback without the shared harness: strip smtp-sink's framing here and ask dkimpy.
        String txt = Files.readString(txtFile).strip();
        int ok = 0;
        for (Path f : files) {
            String verdict = Dkimpy.verify(stripSinkFraming(Files.readAllBytes(f)), DKIM_DOMAIN, DKIM_SELECTOR, txt);
            if (verdict.startsWith("verified " + DKIM_DOMAIN)) {
                ok++;
            } else {
                log("dkim: %s: %s", f.getFileName(), verdict);
            }
        }
        return "dkim verified " + ok + "/" + files.size() + " (dkimpy via io.postwire.testsupport.Dkimpy)";
    }

    /** Undoes smtp-sink's dump framing (X-* lines, its Received header, trailing blank line); CRLF line ends. */
    static byte[] stripSinkFraming(byte[] data) {
        String[] lines = new String(data, StandardCharsets.ISO_8859_1).split("\n", -1);
        int i = 0;
        while (i < lines.length && lines[i].matches("^X-(Client-Addr|Client-Proto|Helo-Args|Mail-Args|Rcpt-Args): .*")) {
            i++;
        }
        if (i < lines.length && lines[i].startsWith("Received: ")) {
            int j = i + 1;
            while (j < lines.length && !lines[j].isEmpty() && (lines[j].charAt(0) == ' ' || lines[j].charAt(0) == '\t')) {
                j++;
            }
            if (String.join("\n", Arrays.copyOfRange(lines, i, j)).contains("(smtp-sink)")) {
                i = j;
            }
        }
        String msg = String.join("\n", Arrays.copyOfRange(lines, i, lines.length));
        if (msg.endsWith("\n\n")) {
            msg = msg.substring(0, msg.length() - 1);
        }
        return msg.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    // ---------------------------------------------------------------- /proc

    record CpuSample(long busy, long total, double load1) {
        static CpuSample read() throws IOException {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new CpuSample(total - idle, total, KafkaToSinkBench.load1());
        }

        double busySecondsSince(CpuSample before) {
            return (busy - before.busy) / (double) CLK_TCK;
        }

        double busyPercentSince(CpuSample before) {
            long dt = total - before.total;
            return dt <= 0 ? 0 : 100.0 * (busy - before.busy) / dt;
        }
    }

    /** utime + stime of a process (all threads), in clock ticks; 0 if it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU ticks of the embedded PostgreSQL: the postmaster whose command line names our port, and
     * its children (backends, checkpointer, ...). Zonky's pg_ctl detaches it from this JVM.
     */
    Map<Long, Long> postgresTicks() {
        Map<Long, Long> out = new HashMap<>();
        String portArg = "-p " + pg.port();
        long postmaster = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains("postgres") && c.contains(portArg)).orElse(false))
                .mapToLong(ProcessHandle::pid).findFirst().orElse(-1);
        if (postmaster < 0) {
            return out;
        }
        out.put(postmaster, cpuTicks(postmaster));
        ProcessHandle.of(postmaster).ifPresent(h -> h.descendants().forEach(d -> out.put(d.pid(), cpuTicks(d.pid()))));
        return out;
    }

    static long procStatusKb(long pid, String field) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith(field + ":")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    static double load1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------- helpers

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void chownNobody(Path dir) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            Process p = new ProcessBuilder("chown", "nobody", dir.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("chown nobody " + dir + " failed");
            }
        }
    }

    private static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    private static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }

    static String toJson(Object o) {
        if (o == null) {
            return "null";
        }
        if (o instanceof Map<?, ?> m) {
            return m.entrySet().stream().map(e -> toJson(e.getKey().toString()) + ":" + toJson(e.getValue()))
                    .collect(Collectors.joining(",", "{", "}"));
        }
        if (o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        String s = o.toString().replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r");
        return "\"" + s + "\"";
    }

    static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, fmt, args));
    }

    private void cleanup() {
        List<Runnable> copy;
        synchronized (cleanups) {
            copy = new ArrayList<>(cleanups);
            cleanups.clear();
        }
        for (Runnable r : copy) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("cleanup: " + e);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dir + ": " + e);
        }
    }
}
