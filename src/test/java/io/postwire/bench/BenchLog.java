package io.postwire.bench;

import java.util.Locale;

/**
 * Timestamped progress lines of the Kafka-to-sink bench, on stderr.
 *
 * <p>Stderr, because stdout carries only the one-line result that scripts and the docs quote.
 */
final class BenchLog {

    private BenchLog() {
    }

    static void log(String fmt, Object... args) {
        System.err.printf(Locale.ROOT, "[bench %tT] %s%n", System.currentTimeMillis(), String.format(Locale.ROOT, fmt, args));
    }
}
