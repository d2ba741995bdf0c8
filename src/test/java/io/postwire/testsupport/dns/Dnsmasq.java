package io.postwire.testsupport.dns;

import io.postwire.testsupport.LoopbackPorts;
import io.postwire.testsupport.PeerTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A real dnsmasq (Debian's {@code dnsmasq-base}) in the foreground on a random port of
 * 127.0.0.1, serving only the records given on its command line: no upstream, no
 * /etc/hosts, no config file, so nothing on the machine changes what it answers. It binds only
 * its own address and port, so a system dnsmasq on port 53, if any, does not matter.
 */
public final class Dnsmasq implements AutoCloseable {

    private final Process process;
    private final int port;
    private final StringBuffer log = new StringBuffer();

    private Dnsmasq(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts dnsmasq with extra options such as {@code --mx-host=a.test,mx.a.test,10} and
     * {@code --host-record=mx.a.test,127.0.0.2,::2}; waits until it serves.
     */
    public static Dnsmasq start(List<String> options) {
        String missing = PeerTools.ensureDnsmasq();
        if (missing != null) {
            throw new IllegalStateException(missing);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                return launch(options, LoopbackPorts.free());
            } catch (IllegalStateException e) {
                last = e; // most likely the port was taken in between: try another
            }
        }
        throw last;
    }

    private static Dnsmasq launch(List<String> options, int port) {
        List<String> command = new ArrayList<>(List.of(PeerTools.DNSMASQ.toString(),
                "--no-daemon", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--no-poll",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + port,
                "--user=root", "--pid-file=", "--log-queries", "--log-facility=-"));
        command.addAll(options);
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
        Dnsmasq dnsmasq = new Dnsmasq(process, port);
        CountDownLatch started = new CountDownLatch(1);
        Thread reader = new Thread(() -> dnsmasq.pump(started), "dnsmasq-" + port);
        reader.setDaemon(true);
        reader.start();
        try {
            if (!started.await(20, TimeUnit.SECONDS) || !process.isAlive()) {
                dnsmasq.close();
                throw new IllegalStateException("dnsmasq did not start: " + dnsmasq.log());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            dnsmasq.close();
            throw new IllegalStateException("interrupted", e);
        }
        return dnsmasq;
    }

    /** Copies dnsmasq's output to the log and opens the latch at its "started" line. */
    private void pump(CountDownLatch started) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                log.append(line).append('\n');
                if (line.contains("started, version")) {
                    started.countDown();
                }
            }
        } catch (IOException ignored) {
            // the process ended
        }
        started.countDown();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** What dnsmasq printed, including one line per query (--log-queries). */
    public String log() {
        return log.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
