package io.postwire.bench;

import static io.postwire.bench.BenchLog.log;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postfix's {@code smtp-sink} as the relay the app delivers to, and the bench's clock for "done".
 *
 * <p>Started with {@code -c}, it rewrites a {@code mesg=N} counter on stdout after each message;
 * a reader thread timestamps the first message and the moment the target count is reached, so the
 * timing does not depend on how often {@link #awaitCount} polls. With a dump directory (phase 1)
 * it also writes every message to a file for the DKIM check.
 */
final class SmtpSink {

    private static final String SMTP_SINK = "/usr/sbin/smtp-sink";
    private static final Pattern MESG = Pattern.compile("mesg=(\\d+)");

    private final Process process;
    private final AtomicLong count = new AtomicLong();
    private volatile long firstNanos;
    private volatile long reachedNanos;
    private volatile long target = Long.MAX_VALUE;
    /** arrivals[k - 1] = when the count reached k, if {@link #recordArrivals} was called. */
    private volatile long[] arrivals;
    private final Thread reader;

    private SmtpSink(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "bench-sink-counter");
        reader.setDaemon(true);
        // the timestamps are the measurement: do not let the busy app delay this thread
        reader.setPriority(Thread.MAX_PRIORITY);
        reader.start();
    }

    /** @throws IllegalArgumentException if Postfix is not installed (a usage error, not a failure) */
    static void requireInstalled() {
        if (!Files.isExecutable(Path.of(SMTP_SINK))) {
            throw new IllegalArgumentException(SMTP_SINK + " is missing: apt-get install postfix");
        }
    }

    /** smtp-sink drops root to nobody, which must be able to write the dump directory. */
    static void chownNobody(Path dir) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            Process p = new ProcessBuilder("chown", "nobody", dir.toString()).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("chown nobody " + dir + " failed");
            }
        }
    }

    /**
     * Starts smtp-sink on 127.0.0.1:{@code port} and waits until it accepts connections.
     *
     * @param dumpDir where to write each message, or {@code null} to only count them
     */
    static SmtpSink start(int port, Path dumpDir, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(SMTP_SINK, "-c", "-h", "sink.example.test"));
        if ("root".equals(System.getProperty("user.name"))) {
            cmd.addAll(List.of("-u", "nobody"));
        }
        if (dumpDir != null) {
            cmd.addAll(List.of("-d", dumpDir + "/"));
        }
        cmd.addAll(List.of("127.0.0.1:" + port, "1024"));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        SmtpSink sink = new SmtpSink(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int i = 0; i < 200 && System.nanoTime() < deadline; i++) {
            if (!p.isAlive()) {
                throw new IllegalStateException("smtp-sink exited: " + Files.readString(log));
            }
            try (var s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return sink;
            } catch (IOException e) {
                Thread.sleep(50);
            }
        }
        sink.stop();
        throw new IllegalStateException("smtp-sink did not listen on 127.0.0.1:" + port);
    }

    /** Reads the counter: smtp-sink redraws it in place, so records end with CR, not LF. */
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
                // only the newest complete record matters; the counter only grows
                int prev = complete.lastIndexOf('\r');
                Matcher m = MESG.matcher(prev < 0 ? complete : complete.substring(prev + 1));
                if (m.find()) {
                    long c = Long.parseLong(m.group(1));
                    long before = count.getAndSet(c);
                    long[] times = arrivals;
                    if (times != null) {
                        // counts skipped between two redraws arrived by now as well
                        for (long k = Math.max(before, 0) + 1; k <= Math.min(c, times.length); k++) {
                            times[(int) k - 1] = now;
                        }
                    }
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
        if (n != target) {
            // a new goal (the timed run after a warm-up): the old one's moment does not count
            reachedNanos = 0;
            target = n;
        }
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
                log("sink count %d/%d, load1 %.2f", c, n, ProcFs.load1());
            }
            Thread.sleep(20);
        }
        return false;
    }

    long count() {
        return count.get();
    }

    /** Keeps the arrival time of each of the first {@code capacity} messages from now on. */
    void recordArrivals(int capacity) {
        arrivals = new long[capacity];
    }

    /** {@link System#nanoTime()} when the count reached {@code k} (1-based); 0 if not (yet) or not recorded. */
    long arrivalNanos(long k) {
        long[] times = arrivals;
        return times == null || k < 1 || k > times.length ? 0 : times[(int) k - 1];
    }

    /** {@link System#nanoTime()} when the first message arrived; 0 if none has. */
    long firstNanos() {
        return firstNanos;
    }

    /** {@link System#nanoTime()} when the count reached the awaited target; 0 if it has not. */
    long reachedNanos() {
        return reachedNanos;
    }

    long pid() {
        return process.pid();
    }

    void stop() {
        Teardown.stopProcess(process, 10);
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
