package io.postwire.bench;

import static io.postwire.bench.BenchLog.log;

import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

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
 *
 * <p>This class only orchestrates the two phases; the parts live in {@link BenchOptions},
 * {@link SmtpSink}, {@link AppProcess}, {@link DkimDumpCheck}, {@link SendRequestedProducer},
 * {@link EventTap}, {@link ProcFs} and {@link BenchResult}.
 */
public final class KafkaToSinkBench {

    private final BenchOptions options;
    private final Teardown teardown;
    private final EventCodec codec = new EventCodec();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private Path work;
    private EmbeddedKafka kafka;
    private EmbeddedPg pg;
    private AppProcess app;
    private SmtpSink sink;
    private int sinkPort;
    private EventTap tap;

    private KafkaToSinkBench(BenchOptions options, Teardown teardown) {
        this.options = options;
        this.teardown = teardown;
    }

    public static void main(String[] args) {
        Teardown.exitWith(teardown -> new KafkaToSinkBench(BenchOptions.parse(args), teardown).run());
    }

    /** @return 0 if all N arrived, all N Delivered events were seen and DKIM verified; else 1 */
    private int run() throws Exception {
        AppProcess.requirePackaged();
        SmtpSink.requireInstalled();
        double load1Start = ProcFs.load1();
        log("load1 %.2f, %d CPUs, mode %s, projections %s, N=%d, body %d B, %d domains, %d partitions",
                load1Start, Runtime.getRuntime().availableProcessors(), options.mode(),
                options.projections() ? "on" : "off", options.messages(), options.bodyBytes(), options.domains(),
                options.partitions());
        work = Files.createTempDirectory("postwire-bench-");
        // smtp-sink runs as nobody and must reach the dump directory inside.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        teardown.last(() -> {
            if (!options.keep()) {
                Teardown.deleteRecursively(work);
            } else {
                log("work directory kept: %s", work);
            }
        });

        kafka = EmbeddedKafka.start();
        teardown.first(kafka::close);
        pg = EmbeddedPg.start();
        teardown.first(pg::close);
        createTopics();
        BenchDkimKey dkimKey = BenchDkimKey.create(work);
        sinkPort = freePort();
        int httpPort = freePort();
        app = new AppProcess(options, work, kafka, pg, httpPort, sinkPort, "bench-" + runId, dkimKey, teardown);

        String dkimResult = phase1(new DkimDumpCheck(options.verifier(), dkimKey));
        log("phase 1: %s", dkimResult);
        boolean dkimOk = DkimDumpCheck.allVerified(dkimResult);

        Thread.sleep(1000);
        sink = SmtpSink.start(sinkPort, null, work.resolve("sink-phase2.log"));
        Phase2Readings readings = phase2();

        BenchResult result = new BenchResult(options, load1Start, readings, dkimResult);
        System.out.println(result.summaryLine());
        JsonLines.append(options.resultsFile(), result.fields());
        log("result appended to %s", options.resultsFile().toAbsolutePath());
        return readings.reached() && readings.allDelivered() && dkimOk ? 0 : 1;
    }

    /** A few messages through a dumping smtp-sink, each one then checked by dkimpy; returns the verdict. */
    private String phase1(DkimDumpCheck check) throws Exception {
        Path dumpDir = work.resolve("dump");
        Files.createDirectories(dumpDir);
        SmtpSink.chownNobody(dumpDir);
        sink = SmtpSink.start(sinkPort, dumpDir, work.resolve("sink-phase1.log"));
        // the field, not this sink: at teardown it is phase 2's
        teardown.first(() -> sink.stop());
        app.start(false);

        tap = new EventTap(kafka.bootstrapServers(), codec);
        teardown.first(tap::close);
        String checkPrefix = "check-" + runId + "-";
        int n = options.dkimSample();
        try (SendRequestedProducer producer = producer()) {
            producer.produce(checkPrefix, n, tap::arm);
            producer.flush();
        }
        if (!sink.awaitCount(n, Duration.ofSeconds(120), Duration.ofSeconds(60))
                || !tap.awaitDelivered(checkPrefix, n, Duration.ofSeconds(30))) {
            throw new IllegalStateException("phase 1: sink counted " + sink.count() + ", Delivered "
                    + tap.delivered(checkPrefix) + " of " + n + "; other outcomes " + tap.others(checkPrefix)
                    + "; app log " + app.logFile());
        }
        // let smtp-sink finish writing the last dump before it is stopped
        Thread.sleep(300);
        sink.stop();
        return check.verify(dumpDir);
    }

    /** The timed N messages, with CPU, memory and latency readings around them. */
    private Phase2Readings phase2() throws Exception {
        String prefix = "bench-" + runId + "-";
        int n = options.messages();
        long benchPid = ProcessHandle.current().pid();
        CpuSample sys0;
        Map<Long, Long> pg0;
        long appCpu0;
        long benchCpu0;
        long t0Nanos;
        long produceStartNanos;
        long produceEndNanos;
        Instant t0Wall;
        if (options.preload()) {
            app.stop();
            try (SendRequestedProducer producer = producer()) {
                produceStartNanos = System.nanoTime();
                producer.produce(prefix, n, tap::arm);
                producer.flush();
                produceEndNanos = System.nanoTime();
            }
            log("preloaded %d records in %.2f s", n, (produceEndNanos - produceStartNanos) / 1e9);
            Thread.sleep(2000); // let the broker's flush and the page cache settle
            sys0 = CpuSample.read();
            pg0 = ProcFs.postgresTicks(pg.port());
            benchCpu0 = ProcFs.cpuTicks(benchPid);
            t0Nanos = System.nanoTime();
            t0Wall = Instant.now();
            app.start(true);
            appCpu0 = 0; // a new process: all of its CPU belongs to the drain
        } else {
            if (options.jfrFile() != null) {
                app.jcmd("JFR.start", "name=bench", "settings=profile", "filename=" + options.jfrFile());
            }
            sys0 = CpuSample.read();
            pg0 = ProcFs.postgresTicks(pg.port());
            appCpu0 = ProcFs.cpuTicks(app.pid());
            benchCpu0 = ProcFs.cpuTicks(benchPid);
            try (SendRequestedProducer producer = producer()) {
                t0Nanos = System.nanoTime();
                t0Wall = Instant.now();
                produceStartNanos = t0Nanos;
                producer.produce(prefix, n, tap::arm, options.rate());
                producer.flush();
                produceEndNanos = System.nanoTime();
            }
            log("produced %d records in %.2f s", n, (produceEndNanos - produceStartNanos) / 1e9);
        }
        boolean reached = sink.awaitCount(n, Duration.ofSeconds(options.timeoutSeconds()),
                Duration.ofSeconds(options.stallSeconds()));
        long endNanos = reached ? sink.reachedNanos() : System.nanoTime();
        CpuSample sys1 = CpuSample.read();
        long appCpu1 = ProcFs.cpuTicks(app.pid());
        long benchCpu1 = ProcFs.cpuTicks(benchPid);
        long sinkCpu = ProcFs.cpuTicks(sink.pid());
        long pgCpu = 0;
        for (var e : ProcFs.postgresTicks(pg.port()).entrySet()) {
            pgCpu += e.getValue() - pg0.getOrDefault(e.getKey(), 0L);
        }
        long hwmKb = ProcFs.procStatusKb(app.pid(), "VmHWM");
        long rssKb = ProcFs.procStatusKb(app.pid(), "VmRSS");
        if (options.jfrFile() != null && !options.preload()) {
            app.jcmd("JFR.stop", "name=bench");
        }
        // the Delivered events trail the sink's count by the app's event write
        boolean allDelivered = tap.awaitDelivered(prefix, n, Duration.ofSeconds(reached ? 60 : 5));
        List<Long> lat = tap.latenciesMillis(prefix);
        Collections.sort(lat);
        return new Phase2Readings(t0Wall, t0Nanos, produceStartNanos, produceEndNanos, endNanos, reached,
                allDelivered, sink.count(), sink.firstNanos(), sys0, sys1, appCpu1 - appCpu0, benchCpu1 - benchCpu0,
                sinkCpu, pgCpu, hwmKb, rssKb, lat, tap.others(prefix));
    }

    private SendRequestedProducer producer() {
        return new SendRequestedProducer(kafka.bootstrapServers(), codec, options.bodyBytes(), options.domains());
    }

    /** Creates the app's topics up front, with the partition count under test. */
    private void createTopics() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            List<NewTopic> topics = Topics.all(options.partitions()).stream()
                    .map(d -> new NewTopic(d.name(), d.partitions(), (short) 1).configs(d.configs()))
                    .toList();
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
