package io.postwire.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the options and the timed phase's readings into the result: the JSON fields (names and
 * order are what {@code docs/benchmarks.md} and {@code docs/run-benchmarks.sh} read) and the
 * one-line summary printed on stdout.
 */
final class BenchResult {

    private final BenchOptions o;
    private final double load1Before;
    private final Phase2Readings m;
    private final String dkim;
    private final Map<String, Object> fields;

    BenchResult(BenchOptions options, double load1Before, Phase2Readings readings, String dkimVerdict) {
        this.o = options;
        this.load1Before = load1Before;
        this.m = readings;
        this.dkim = dkimVerdict;
        this.fields = buildFields();
    }

    Map<String, Object> fields() {
        return fields;
    }

    private Map<String, Object> buildFields() {
        Map<String, Object> r = new LinkedHashMap<>();
        double seconds = m.seconds();
        List<Long> lat = m.latenciesMs();
        r.put("label", o.label());
        r.put("time", m.t0Wall().toString());
        r.put("load1_before", load1Before);
        r.put("load1_phase2_start", m.machineBefore().load1());
        r.put("mode", o.mode());
        r.put("projections", o.projections());
        r.put("messages", o.messages());
        r.put("offered_rate", o.rate() > 0 ? o.rate() : "unpaced");
        r.put("body_bytes", o.bodyBytes());
        r.put("domains", o.domains());
        r.put("partitions", o.partitions());
        r.put("max_in_flight", o.maxInFlight() == null ? "default(1000)" : o.maxInFlight());
        r.put("relay_connections", o.relayConnections() == null ? "default(20)" : o.relayConnections());
        r.put("extra_env", o.extraEnv());
        r.put("app_jvm_opts", o.appJvmOpts());
        r.put("reached", m.reached());
        r.put("sink_count", m.sinkCount());
        r.put("seconds", round(seconds, 3));
        // an incomplete run still reports the rate of what did arrive
        r.put("msgs_per_s", round(m.reached() ? o.messages() / seconds : m.sinkCount() / seconds, 1));
        r.put("produce_seconds", round((m.produceEndNanos() - m.produceStartNanos()) / 1e9, 3));
        if (m.sinkFirstNanos() > 0) {
            // from the first arrival: leaves out the app's start-up in preload mode
            double drain = (m.endNanos() - m.sinkFirstNanos()) / 1e9;
            r.put("first_delivery_after_s", round((m.sinkFirstNanos() - m.t0Nanos()) / 1e9, 3));
            r.put("drain_msgs_per_s", round(m.reached() ? o.messages() / drain : m.sinkCount() / drain, 1));
        }
        r.put("delivered_events", lat.size());
        r.put("other_outcomes", m.otherOutcomes());
        r.put("latency_ms_p50", percentile(lat, 50));
        r.put("latency_ms_p99", percentile(lat, 99));
        r.put("latency_ms_max", lat.isEmpty() ? null : lat.get(lat.size() - 1));
        r.put("app_peak_rss_mb", round(m.appPeakRssKb() / 1024.0, 1));
        r.put("app_rss_end_mb", round(m.appRssEndKb() / 1024.0, 1));
        double appCpuS = m.appCpuSeconds();
        r.put("app_cpu_s", round(appCpuS, 2));
        r.put("app_cpu_ms_per_msg", round(appCpuS * 1000 / o.messages(), 3));
        // Kafka broker, producer and event tap live in the bench's JVM
        double benchCpuS = m.benchCpuTicks() / (double) ProcFs.CLK_TCK;
        double sinkCpuS = m.sinkCpuTicks() / (double) ProcFs.CLK_TCK;
        double pgCpuS = m.postgresCpuTicks() / (double) ProcFs.CLK_TCK;
        r.put("bench_jvm_cpu_s", round(benchCpuS, 2));
        r.put("sink_cpu_s", round(sinkCpuS, 2));
        r.put("postgres_cpu_s", round(pgCpuS, 2));
        double busyS = m.machineAfter().busySecondsSince(m.machineBefore());
        r.put("machine_busy_pct", round(m.machineAfter().busyPercentSince(m.machineBefore()), 1));
        r.put("machine_busy_cpu_s", round(busyS, 2));
        // whatever else ran on the machine meanwhile (other builds on a shared box)
        r.put("other_processes_cpu_s", round(busyS - appCpuS - benchCpuS - sinkCpuS - pgCpuS, 2));
        r.put("dkim", dkim);
        if (o.jfrFile() != null) {
            r.put("jfr", o.jfrFile().toString());
        }
        return r;
    }

    /** The line on stdout that the docs quote; the JSON has the same figures and more. */
    String summaryLine() {
        double appCpuS = m.appCpuSeconds();
        return String.format(Locale.ROOT,
                "%s: %d msgs, %d B body: %s %.1f msg/s (%.2f s), p50 %s ms, p99 %s ms, app peak RSS %.0f MB, app CPU %.1f s (%.2f ms/msg), machine busy %.0f%%, %s, load1 %.2f",
                o.label(), o.messages(), o.bodyBytes(), m.reached() ? "kafka->sink" : "INCOMPLETE", fields.get("msgs_per_s"),
                m.seconds(), fields.get("latency_ms_p50"), fields.get("latency_ms_p99"), m.appPeakRssKb() / 1024.0,
                appCpuS, appCpuS * 1000 / o.messages(), fields.get("machine_busy_pct"), dkim, load1Before);
    }

    /** Nearest-rank percentile of an ascending list; {@code null} (JSON null) when it is empty. */
    static Long percentile(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return null;
        }
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static double round(double v, int places) {
        double f = Math.pow(10, places);
        return Math.round(v * f) / f;
    }
}
