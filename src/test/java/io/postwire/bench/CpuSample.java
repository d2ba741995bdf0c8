package io.postwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Machine-wide CPU counters from the first line of {@code /proc/stat}, with the load average.
 *
 * <p>Two samples bracket phase 2; their difference is what the whole machine spent, which the
 * result compares with what our own processes spent to show interference from other work.
 */
record CpuSample(long busy, long total, double load1) {

    static CpuSample read() throws IOException {
        String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest time is already inside user
        for (int i = 1; i < Math.min(f.length, 9); i++) {
            total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new CpuSample(total - idle, total, ProcFs.load1());
    }

    double busySecondsSince(CpuSample before) {
        return (busy - before.busy) / (double) ProcFs.CLK_TCK;
    }

    double busyPercentSince(CpuSample before) {
        long dt = total - before.total;
        return dt <= 0 ? 0 : 100.0 * (busy - before.busy) / dt;
    }
}
