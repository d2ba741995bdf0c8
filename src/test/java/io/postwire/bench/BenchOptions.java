package io.postwire.bench;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The command line of {@link KafkaToSinkBench}, parsed and validated once.
 *
 * <p>{@code docs/benchmarks.md} and {@code docs/run-benchmarks.sh} pass these options by name,
 * so names, defaults and the {@code --help} text are part of the bench's interface.
 *
 * @param rate offered load of the timed produce in msgs/s; 0 = as fast as the producer goes
 * @param maxInFlight {@code null} leaves the app's default
 * @param relayConnections {@code null} leaves the app's default
 * @param jfrFile {@code null} means no JFR recording
 */
record BenchOptions(
        int messages,
        int bodyBytes,
        int domains,
        int partitions,
        String mode,
        boolean projections,
        Integer maxInFlight,
        Integer relayConnections,
        int dkimSample,
        double rate,
        long timeoutSeconds,
        long stallSeconds,
        String label,
        Path resultsFile,
        Path jfrFile,
        String appJvmOpts,
        Map<String, String> extraEnv,
        Path verifier,
        boolean keep) {

    private static final String HELP = String.join("\n",
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
            "  --keep                  keep the work directory (app log, dumps)");

    boolean preload() {
        return mode.equals("preload");
    }

    /**
     * Parses {@code args}; prints the help and exits 0 on {@code --help}.
     *
     * @throws IllegalArgumentException on an unknown option or an out-of-range value, which
     *     {@code main} reports as a usage error (exit 2)
     */
    static BenchOptions parse(String[] args) {
        int messages = 20_000;
        int bodyBytes = 5 * 1024;
        int domains = 100;
        int partitions = 6;
        String mode = "concurrent";
        boolean projections = true;
        Integer maxInFlight = null;
        Integer relayConnections = null;
        int dkimSample = 20;
        double rate = 0;
        long timeoutSeconds = 600;
        long stallSeconds = 60;
        String label = null;
        Path resultsFile = Path.of("target", "bench", "kafka-to-sink.jsonl");
        Path jfrFile = null;
        String appJvmOpts = "";
        Map<String, String> extraEnv = new LinkedHashMap<>();
        // The shared harness's verifier; without it the bench falls back to its own dkimpy call.
        Path verifier = Path.of("/work/shared/bench/dkim-verify-dump.py");
        boolean keep = false;

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println(HELP);
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
        // Preload writes everything before the app starts, so there is no offered load to pace.
        if (rate < 0 || (rate > 0 && mode.equals("preload"))) {
            throw new IllegalArgumentException("--rate must be >= 0 and is for --mode concurrent only");
        }
        if (label == null) {
            label = "postwire-" + mode + "-proj" + (projections ? "on" : "off") + (rate > 0 ? "-rate" + (long) rate : "");
        }
        return new BenchOptions(messages, bodyBytes, domains, partitions, mode, projections, maxInFlight,
                relayConnections, dkimSample, rate, timeoutSeconds, stallSeconds, label, resultsFile, jfrFile,
                appJvmOpts, Collections.unmodifiableMap(extraEnv), verifier, keep);
    }

    private static boolean onOff(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("on or off expected, got " + v);
        };
    }
}
