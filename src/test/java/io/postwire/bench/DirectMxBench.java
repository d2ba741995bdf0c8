package io.postwire.bench;

import static io.postwire.bench.BenchLog.log;

import io.postwire.bus.Topics;
import io.postwire.event.EventCodec;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.dns.TestDnsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * Direct-to-MX benchmark: N DKIM-signed 5 KB {@code SendRequested} records to D recipient domains
 * whose MX hosts (made up by {@link MxTopology}, served by an in-process {@link TestDnsServer})
 * all point at Postfix's {@code smtp-sink} on 127.0.0.1, delivered by the packaged app with
 * {@code POSTWIRE_RELAY_HOST} unset, so every send goes through MX resolution, the site rollup
 * and per-site shaping.
 *
 * <p>One run per invocation; {@code docs/benchmarks.md} ("Direct to MX") has the matrix. Reports
 * msgs/s (first produce to smtp-sink's N-th message), the steady rate (between the 20 % and 90 %
 * arrivals, for limit accuracy), app CPU, peak RSS ({@code VmHWM}), RSS along the run, the live
 * heap after a full GC at the end, and how many sites the app holds.
 */
public final class DirectMxBench {

    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    private final MxBenchOptions mo;
    private final BenchOptions o;
    private final Teardown teardown;
    private final EventCodec codec = new EventCodec();
    private final String runId = UUID.randomUUID().toString().substring(0, 8);
    private final MxTopology topology;

    private DirectMxBench(MxBenchOptions options, Teardown teardown) {
        this.mo = options;
        this.o = options.common();
        this.teardown = teardown;
        this.topology = new MxTopology(o.domains(), options.sites(), options.mxHosts());
    }

    public static void main(String[] args) {
        Teardown.exitWith(teardown -> new DirectMxBench(MxBenchOptions.parse(args), teardown).run());
    }

    /** @return 0 if smtp-sink counted every message and each got a Delivered event; else 1 */
    private int run() throws Exception {
        AppProcess.requirePackaged();
        SmtpSink.requireInstalled();
        double load1Start = ProcFs.load1();
        log("%s: load1 %.2f, %d CPUs, N=%d, %d domains in %d sites (%d MX hosts each), shaping %s%s, projections %s",
                mo.label(), load1Start, Runtime.getRuntime().availableProcessors(), o.messages(), o.domains(),
                mo.sites(), mo.mxHosts(), mo.shaping(), mo.siteRate() == null ? "" : ", s0.test at " + mo.siteRate(),
                o.projections() ? "on" : "off");
        Path work = Files.createTempDirectory("postwire-mxbench-");
        teardown.last(() -> {
            if (!o.keep()) {
                Teardown.deleteRecursively(work);
            } else {
                log("work directory kept: %s", work);
            }
        });
        EmbeddedKafka kafka = EmbeddedKafka.start();
        teardown.first(kafka::close);
        EmbeddedPg pg = EmbeddedPg.start();
        teardown.first(pg::close);
        createTopics(kafka.bootstrapServers(), o.partitions());
        TestDnsServer dns = TestDnsServer.start().zone(topology, 3600).receiveBufferSize(4 << 20);
        teardown.first(dns::close);
        int mxPort = freePort();
        SmtpSink sink = SmtpSink.start(mxPort, null, work.resolve("sink.log"));
        teardown.first(sink::stop);
        int httpPort = freePort();
        String apiKey = "bench-" + runId;
        Map<String, String> route = Map.of(
                "POSTWIRE_DNS_SERVERS", dns.hostPort(),
                "POSTWIRE_MX_PORT", Integer.toString(mxPort),
                // smtp-sink offers no STARTTLS; say so rather than rely on its EHLO
                "POSTWIRE_MX_TLS", "off");
        AppProcess app = new AppProcess(o, work, kafka, pg, httpPort, route, mo.systemProperties(), apiKey,
                BenchDkimKey.create(work), teardown);
        app.start(false);
        EventTap tap = new EventTap(kafka.bootstrapServers(), codec);
        teardown.first(tap::close);

        int warm = mo.warmup();
        if (warm > 0) {
            warmUp(kafka, tap, sink, app, warm);
        }
        Readings r = timed(kafka, tap, sink, app, warm);
        Map<String, Object> fields = fields(load1Start, r);
        fields.put("live_heap_mb", mo.liveHeap() ? liveHeapMb(app) : null);
        fields.put("sites_held", sitesHeld(httpPort, apiKey));
        fields.put("dns_queries", dns.queries());
        fields.putAll(metrics(httpPort));
        System.out.println(summary(fields));
        JsonLines.append(o.resultsFile(), fields);
        log("result appended to %s", o.resultsFile().toAbsolutePath());
        return r.reached && r.allDelivered ? 0 : 1;
    }

    /** Untimed messages to the first domains: JIT, pools and the DNS cache of those domains warm. */
    private void warmUp(EmbeddedKafka kafka, EventTap tap, SmtpSink sink, AppProcess app, int warm) throws Exception {
        String prefix = "warm-" + runId + "-";
        int few = Math.min(o.domains(), 10);
        try (SendRequestedProducer p = new SendRequestedProducer(kafka.bootstrapServers(), codec, o.bodyBytes(),
                i -> topology.domainOf(i % few), s -> topology.siteOfDomain(s.recipientDomain()))) {
            p.produce(prefix, warm, tap::arm);
        }
        if (!sink.awaitCount(warm, Duration.ofSeconds(300), Duration.ofSeconds(60))
                || !tap.awaitDelivered(prefix, warm, Duration.ofSeconds(60))) {
            throw new IllegalStateException("warm-up: sink counted " + sink.count() + " of " + warm + ", other outcomes "
                    + tap.others(prefix) + "; app log " + app.logFile());
        }
        log("warm-up: %d delivered", warm);
        Thread.sleep(1000);
    }

    private static final class Readings {
        Instant t0Wall;
        long t0;
        long produceEnd;
        long end;
        boolean reached;
        boolean allDelivered;
        long sinkCount;
        long firstArrival;
        long steadyFrom;
        long steadyTo;
        CpuSample sys0;
        CpuSample sys1;
        long appCpu;
        long benchCpu;
        long sinkCpu;
        long hwmKb;
        Map<String, Long> rssAtProgress = new LinkedHashMap<>();
        long maxSampledRssKb;
        Map<String, Long> others;
        Map<String, Long> deferReasons;
    }

    /** The N timed messages, with RSS sampled along the way. */
    private Readings timed(EmbeddedKafka kafka, EventTap tap, SmtpSink sink, AppProcess app, int before)
            throws Exception {
        String prefix = "bench-" + runId + "-";
        int n = o.messages();
        long target = before + (long) n;
        sink.recordArrivals((int) target);
        Readings r = new Readings();
        long benchPid = ProcessHandle.current().pid();
        if (o.jfrFile() != null) {
            app.jcmd("JFR.start", "name=bench", "settings=profile", "filename=" + o.jfrFile());
        }
        RssSampler sampler = new RssSampler(app.pid(), sink, before, n);
        sampler.start();
        r.sys0 = CpuSample.read();
        long appCpu0 = ProcFs.cpuTicks(app.pid());
        long benchCpu0 = ProcFs.cpuTicks(benchPid);
        try (SendRequestedProducer p = new SendRequestedProducer(kafka.bootstrapServers(), codec, o.bodyBytes(),
                topology::domainOf, s -> topology.siteOfDomain(s.recipientDomain()))) {
            r.t0 = System.nanoTime();
            r.t0Wall = Instant.now();
            p.produce(prefix, n, tap::arm);
            r.produceEnd = System.nanoTime();
        }
        log("produced %d records in %.2f s", n, (r.produceEnd - r.t0) / 1e9);
        r.reached = sink.awaitCount(target, Duration.ofSeconds(o.timeoutSeconds()), Duration.ofSeconds(o.stallSeconds()));
        r.end = r.reached ? sink.reachedNanos() : System.nanoTime();
        r.sys1 = CpuSample.read();
        r.appCpu = ProcFs.cpuTicks(app.pid()) - appCpu0;
        r.benchCpu = ProcFs.cpuTicks(benchPid) - benchCpu0;
        r.sinkCpu = ProcFs.cpuTicks(sink.pid());
        r.hwmKb = ProcFs.procStatusKb(app.pid(), "VmHWM");
        sampler.stop();
        r.rssAtProgress = sampler.rssAtProgress();
        r.maxSampledRssKb = sampler.maxRssKb();
        if (o.jfrFile() != null) {
            app.jcmd("JFR.stop", "name=bench");
        }
        r.sinkCount = sink.count() - before;
        r.firstArrival = sink.arrivalNanos(before + 1);
        // the steady part: leaves out the ramp-up (JIT, first connections) and the tail
        r.steadyFrom = sink.arrivalNanos(before + Math.max(1, n / 5));
        r.steadyTo = sink.arrivalNanos(before + n * 9L / 10);
        r.allDelivered = tap.awaitDelivered(prefix, n, Duration.ofSeconds(r.reached ? 60 : 5));
        r.others = tap.others(prefix);
        r.deferReasons = tap.deferReasons();
        return r;
    }

    private Map<String, Object> fields(double load1Start, Readings r) {
        int n = o.messages();
        Map<String, Object> f = new LinkedHashMap<>();
        double seconds = (r.end - r.t0) / 1e9;
        f.put("label", mo.label());
        f.put("time", r.t0Wall.toString());
        f.put("load1_before", load1Start);
        f.put("load1_timed_start", r.sys0.load1());
        f.put("messages", n);
        f.put("domains", o.domains());
        f.put("sites", mo.sites());
        f.put("mx_hosts", mo.mxHosts());
        f.put("shaping", mo.shaping());
        f.put("site_rate", mo.siteRate());
        f.put("projections", o.projections());
        f.put("partitions", o.partitions());
        f.put("body_bytes", o.bodyBytes());
        f.put("app_jvm_opts", o.appJvmOpts());
        f.put("system_properties", String.join(" ", mo.systemProperties()));
        f.put("reached", r.reached);
        f.put("sink_count", r.sinkCount);
        f.put("seconds", round(seconds, 3));
        f.put("msgs_per_s", round((r.reached ? n : r.sinkCount) / seconds, 1));
        f.put("produce_seconds", round((r.produceEnd - r.t0) / 1e9, 3));
        if (r.firstArrival > 0) {
            f.put("drain_msgs_per_s", round((r.reached ? n : r.sinkCount) / ((r.end - r.firstArrival) / 1e9), 1));
        }
        if (r.steadyFrom > 0 && r.steadyTo > r.steadyFrom) {
            long counted = n * 9L / 10 - Math.max(1, n / 5);
            f.put("steady_msgs_per_s", round(counted / ((r.steadyTo - r.steadyFrom) / 1e9), 2));
        }
        f.put("all_delivered", r.allDelivered);
        f.put("other_outcomes", r.others);
        f.put("defer_reasons", r.deferReasons);
        f.put("app_cpu_s", round(r.appCpu / (double) ProcFs.CLK_TCK, 2));
        f.put("app_cpu_ms_per_msg", round(r.appCpu * 1000.0 / ProcFs.CLK_TCK / Math.max(1, r.sinkCount), 3));
        f.put("bench_jvm_cpu_s", round(r.benchCpu / (double) ProcFs.CLK_TCK, 2));
        f.put("sink_cpu_s", round(r.sinkCpu / (double) ProcFs.CLK_TCK, 2));
        f.put("machine_busy_pct", round(r.sys1.busyPercentSince(r.sys0), 1));
        f.put("app_peak_rss_mb", r.hwmKb / 1024);
        f.put("app_rss_mb_at_progress", r.rssAtProgress);
        f.put("app_max_sampled_rss_mb", r.maxSampledRssKb / 1024);
        return f;
    }

    private static String summary(Map<String, Object> f) {
        return String.format(Locale.ROOT,
                "%s: %s msgs/s (steady %s) N=%s in %s s, reached=%s delivered=%s other=%s, app CPU %s ms/msg, "
                        + "peak RSS %s MB, live heap %s MB, sites held %s, parked %s, rekeyed %s, load1 %s",
                f.get("label"), f.get("msgs_per_s"), f.get("steady_msgs_per_s"), f.get("messages"), f.get("seconds"),
                f.get("reached"), f.get("all_delivered"), f.get("other_outcomes"), f.get("app_cpu_ms_per_msg"),
                f.get("app_peak_rss_mb"), f.get("live_heap_mb"), f.get("sites_held"), f.get("parked"),
                f.get("rekeyed"), f.get("load1_before"));
    }

    /** Heap in use after a full GC: what the app really holds, apart from how lazily G1 shrinks. */
    private static Long liveHeapMb(AppProcess app) {
        try {
            app.jcmdOutput("GC.run");
            Matcher m = HEAP_USED.matcher(app.jcmdOutput("GC.heap_info"));
            return m.find() ? Long.parseLong(m.group(1)) / 1024 : null;
        } catch (Exception e) {
            log("live heap not read: %s", e);
            return null;
        }
    }

    /** How many (site, pool) entries the app's shaper holds, from {@code GET /api/v1/sites}. */
    private static Integer sitesHeld(int httpPort, String apiKey) {
        try {
            String body = get(httpPort, "/api/v1/sites", apiKey);
            int count = 0;
            for (int i = body.indexOf("\"site\":"); i >= 0; i = body.indexOf("\"site\":", i + 1)) {
                count++;
            }
            return count;
        } catch (Exception e) {
            log("sites not read: %s", e);
            return null;
        }
    }

    /** A few of the dispatcher's counters from {@code /q/metrics}. */
    private static Map<String, Object> metrics(int httpPort) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parked", null);
        out.put("rekeyed", null);
        try {
            for (String line : get(httpPort, "/q/metrics", null).split("\n")) {
                if (line.startsWith("postwire_dispatch_parked_total")) {
                    out.put("parked", (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                } else if (line.startsWith("postwire_dispatch_rekeyed_total")) {
                    out.put("rekeyed", (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
        } catch (Exception e) {
            log("metrics not read: %s", e);
        }
        return out;
    }

    private static String get(int port, String path, String apiKey) throws Exception {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60));
        if (apiKey != null) {
            req.header("Authorization", "Bearer " + apiKey);
        }
        HttpResponse<String> resp = HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + resp.statusCode());
        }
        return resp.body();
    }

    /** Samples the app's RSS every 250 ms and notes it as the sink passes 25, 50, 75 and 100 % of N. */
    private static final class RssSampler {
        private final long pid;
        private final SmtpSink sink;
        private final long before;
        private final int n;
        private final Map<String, Long> atProgress = new LinkedHashMap<>();
        private volatile boolean stop;
        private volatile long maxKb;
        private final Thread thread;

        RssSampler(long pid, SmtpSink sink, long before, int n) {
            this.pid = pid;
            this.sink = sink;
            this.before = before;
            this.n = n;
            this.thread = new Thread(this::loop, "bench-rss");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void loop() {
            int next = 1;
            while (!stop) {
                long kb = ProcFs.procStatusKb(pid, "VmRSS");
                maxKb = Math.max(maxKb, kb);
                long done = sink.count() - before;
                while (next <= 4 && done >= (long) n * next / 4) {
                    synchronized (atProgress) {
                        atProgress.put((25 * next) + "%", kb / 1024);
                    }
                    next++;
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void stop() throws InterruptedException {
            Thread.sleep(300); // one more sample at the end
            stop = true;
            thread.join(2000);
        }

        Map<String, Long> rssAtProgress() {
            synchronized (atProgress) {
                return new LinkedHashMap<>(atProgress);
            }
        }

        long maxRssKb() {
            return maxKb;
        }
    }

    private static void createTopics(String bootstrap, int partitions) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = new ArrayList<>();
            Topics.all(partitions).forEach(d -> topics.add(new NewTopic(d.name(), d.partitions(), (short) 1)
                    .configs(d.configs())));
            admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
