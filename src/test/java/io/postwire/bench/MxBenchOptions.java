package io.postwire.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The command line of {@link DirectMxBench}: its own options (the DNS topology and the shaping
 * under test), and everything else handed to {@link BenchOptions} (messages, body size,
 * partitions, JVM options, JFR, results file...), which the app launcher reads.
 *
 * @param shaping {@code off} ({@code postwire.shaping.enabled=false}), {@code high} (limits far
 *     above what the machine can do) or {@code presets} (the shipped defaults)
 * @param siteRate {@code message-rate} of site {@code s0.test}, or {@code null} for none
 */
record MxBenchOptions(BenchOptions common, int sites, int mxHosts, String shaping, String siteRate, int warmup,
        boolean liveHeap) {

    static final String HELP = String.join("\n",
            "DirectMxBench options (plus KafkaToSinkBench's --messages, --domains, --body-bytes, --partitions,",
            "--projections (default off here), --max-in-flight, --env, --app-jvm-opts, --jfr, --timeout, --stall,",
            "--label, --results-file (default target/bench/direct-mx.jsonl), --keep):",
            "  --sites S            sites the domains roll up into, domain i -> site s<i mod S>.test (default 10)",
            "  --mx-hosts H         MX hosts per site, all at 127.0.0.1 (default 2)",
            "  --shaping off|high|presets   shaping off, limits far above the load (default), or shipped presets",
            "  --site-rate R        message-rate of site s0.test, e.g. 50/s (the limit-accuracy scenario)",
            "  --warmup K           untimed messages first, to the first domains (default 500)",
            "  --live-heap on|off   after the run, full GC and read the live heap (default on)");

    private static final Pattern RATE = Pattern.compile("[0-9]+(\\.[0-9]+)?/(s|min|h|d)");

    static MxBenchOptions parse(String[] args) {
        int sites = 10;
        int mxHosts = 2;
        String shaping = "high";
        String siteRate = null;
        int warmup = 500;
        boolean liveHeap = true;
        boolean projectionsGiven = false;
        boolean resultsGiven = false;
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(HELP);
                System.exit(0);
            }
            boolean ours = List.of("--sites", "--mx-hosts", "--shaping", "--site-rate", "--warmup", "--live-heap")
                    .contains(a);
            if (ours && i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + a);
            }
            switch (a) {
                case "--sites" -> sites = Integer.parseInt(args[++i]);
                case "--mx-hosts" -> mxHosts = Integer.parseInt(args[++i]);
                case "--shaping" -> shaping = args[++i].toLowerCase(Locale.ROOT);
                case "--site-rate" -> siteRate = args[++i];
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--live-heap" -> liveHeap = args[++i].equals("on");
                default -> {
                    projectionsGiven |= a.equals("--projections");
                    resultsGiven |= a.equals("--results-file");
                    if (a.equals("--mode") || a.equals("--rate")) {
                        throw new IllegalArgumentException(a + " is KafkaToSinkBench's; this bench is concurrent, unpaced");
                    }
                    rest.add(a);
                }
            }
        }
        if (!projectionsGiven) {
            rest.addAll(List.of("--projections", "off"));
        }
        if (!resultsGiven) {
            rest.addAll(List.of("--results-file", "target/bench/direct-mx.jsonl"));
        }
        BenchOptions common = BenchOptions.parse(rest.toArray(String[]::new));
        if (!List.of("off", "high", "presets").contains(shaping)) {
            throw new IllegalArgumentException("--shaping off, high or presets");
        }
        if (siteRate != null && (shaping.equals("off") || !RATE.matcher(siteRate).matches())) {
            throw new IllegalArgumentException("--site-rate wants a rate like 50/s, with shaping on");
        }
        if (sites < 1 || sites > common.domains() || mxHosts < 1 || mxHosts > 9 || warmup < 0) {
            throw new IllegalArgumentException("--sites 1..domains, --mx-hosts 1..9, --warmup >= 0");
        }
        return new MxBenchOptions(common, sites, mxHosts, shaping, siteRate, warmup, liveHeap);
    }

    /** The {@code -D} options that set up the shaping under test. */
    List<String> systemProperties() {
        String p = "-Dpostwire.shaping.";
        List<String> props = new ArrayList<>();
        switch (shaping) {
            case "off" -> props.add(p + "enabled=false");
            // Far above what 2 cores deliver, and the same pool size as with shaping off
            // (postwire.mx.max-connections 10, max-messages-per-connection 100).
            case "high" -> props.addAll(List.of(p + "defaults.max-connections=10", p + "defaults.connection-rate=100/s",
                    p + "defaults.messages-per-connection=100", p + "defaults.message-rate=100000/s"));
            default -> { }
        }
        if (siteRate != null) {
            props.add(p + "sites." + MxTopology.site(0) + ".message-rate=" + siteRate);
        }
        return props;
    }

    String label() {
        if (!common.label().startsWith("postwire-concurrent-")) {
            return common.label();
        }
        return "direct-mx-d" + common.domains() + "-s" + sites + "-shaping-" + shaping
                + (siteRate == null ? "" : "-" + siteRate.replace('/', 'p'));
    }
}
