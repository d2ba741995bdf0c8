package io.postwire.bench;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The raw measurements of the timed phase, taken by {@link KafkaToSinkBench} and turned into
 * figures by {@link BenchResult}. Times are {@link System#nanoTime()} values; CPU figures are clock
 * ticks spent during the phase (differences of two readings).
 *
 * @param t0Nanos start of the timing: first produce (concurrent) or the app's launch (preload)
 * @param endNanos when smtp-sink counted all messages, or when waiting gave up
 * @param sinkFirstNanos when smtp-sink counted its first message; 0 if it never did
 * @param latenciesMs Delivered latencies, sorted ascending
 * @param otherOutcomes counts of non-Delivered outcome events by type
 */
record Phase2Readings(
        Instant t0Wall,
        long t0Nanos,
        long produceStartNanos,
        long produceEndNanos,
        long endNanos,
        boolean reached,
        boolean allDelivered,
        long sinkCount,
        long sinkFirstNanos,
        CpuSample machineBefore,
        CpuSample machineAfter,
        long appCpuTicks,
        long benchCpuTicks,
        long sinkCpuTicks,
        long postgresCpuTicks,
        long appPeakRssKb,
        long appRssEndKb,
        List<Long> latenciesMs,
        Map<String, Long> otherOutcomes) {

    double seconds() {
        return (endNanos - t0Nanos) / 1e9;
    }

    double appCpuSeconds() {
        return appCpuTicks / (double) ProcFs.CLK_TCK;
    }
}
