package io.postwire.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-process CPU time, memory and the load average, read from Linux {@code /proc}.
 *
 * <p>Read from {@code /proc} rather than through JMX so that the same figures exist for the app,
 * smtp-sink, PostgreSQL and this JVM alike. Every reading returns 0 (or -1 for the load) when the
 * process is gone, because a figure missing from the result is better than a failed run.
 */
final class ProcFs {

    /** Linux USER_HZ: the unit of the tick counts in {@code /proc/<pid>/stat} and {@code /proc/stat}. */
    static final long CLK_TCK = 100;

    private ProcFs() {
    }

    /** utime + stime of a process (all threads), in clock ticks; 0 if it is gone. */
    static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in parentheses may contain spaces: count fields after its ')'
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
    static Map<Long, Long> postgresTicks(int pgPort) {
        Map<Long, Long> out = new HashMap<>();
        String portArg = "-p " + pgPort;
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

    /** A {@code kB} field of {@code /proc/<pid>/status}, such as VmHWM (peak RSS) or VmRSS. */
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
}
