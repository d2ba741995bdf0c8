package io.postwire.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The independent peers some tests talk to come from Debian packages: dkimpy
 * ({@code python3-dkim}) verifies our DKIM signatures, Postfix's {@code smtp-sink}
 * ({@code postfix}) is a real SMTP server and dnsmasq ({@code dnsmasq-base}: the binary without
 * the system service, so nothing takes port 53) is a real DNS server. So that
 * {@code ./mvnw verify} works on a fresh machine, missing packages are installed with apt-get (as root, once per JVM). Where that is
 * impossible the tests fail with the command to run: they are never skipped.
 */
public final class PeerTools {

    public static final Path PYTHON = Path.of("/usr/bin/python3");
    public static final Path SMTP_SINK = Path.of("/usr/sbin/smtp-sink");
    public static final Path DNSMASQ = Path.of("/usr/sbin/dnsmasq");
    public static final Path SWAKS = Path.of("/usr/bin/swaks");

    private static boolean attempted;
    private static boolean swaksAttempted;

    private PeerTools() {
    }

    /** Makes sure dkimpy can be imported by {@code /usr/bin/python3}; returns why not, or null. */
    public static synchronized String ensureDkimpy() {
        if (!hasDkimpy()) {
            install();
        }
        return hasDkimpy() ? null : "dkimpy is missing: run 'apt-get install -y python3-dkim'";
    }

    /** Makes sure {@code /usr/sbin/smtp-sink} exists; returns why not, or null. */
    public static synchronized String ensureSmtpSink() {
        if (!Files.isExecutable(SMTP_SINK)) {
            install();
        }
        return Files.isExecutable(SMTP_SINK) ? null
                : SMTP_SINK + " is missing: run 'apt-get install -y postfix' (choose 'No configuration')";
    }

    /** Makes sure {@code /usr/sbin/dnsmasq} exists; returns why not, or null. */
    public static synchronized String ensureDnsmasq() {
        if (!Files.isExecutable(DNSMASQ)) {
            install();
        }
        return Files.isExecutable(DNSMASQ) ? null : DNSMASQ + " is missing: run 'apt-get install -y dnsmasq-base'";
    }

    /**
     * Makes sure {@code /usr/bin/swaks} can speak TLS (package {@code swaks}, plus
     * {@code libnet-ssleay-perl}, which swaks only recommends); returns why not, or null.
     */
    public static synchronized String ensureSwaks() {
        if (!hasSwaksWithTls() && !swaksAttempted && Files.isExecutable(Path.of("/usr/bin/apt-get"))
                && "root".equals(System.getProperty("user.name"))) {
            swaksAttempted = true;
            System.err.println("[peer-tools] installing swaks and libnet-ssleay-perl with apt-get (test peer)");
            run(List.of("apt-get", "update", "-qq"));
            run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", "swaks", "libnet-ssleay-perl"));
        }
        return hasSwaksWithTls() ? null
                : SWAKS + " with TLS is missing: run 'apt-get install -y swaks libnet-ssleay-perl'";
    }

    private static boolean hasSwaksWithTls() {
        if (!Files.isExecutable(SWAKS)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder("perl", "-MNet::SSLeay", "-e", "1").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean hasDkimpy() {
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import dkim").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** One attempt per JVM: apt-get update, then all packages, with postfix left unconfigured. */
    private static void install() {
        if (attempted || !Files.isExecutable(Path.of("/usr/bin/apt-get")) || !"root".equals(System.getProperty("user.name"))) {
            return;
        }
        attempted = true;
        System.err.println("[peer-tools] installing python3-dkim, postfix and dnsmasq-base with apt-get (test peers)");
        run(List.of("sh", "-c", "echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections"));
        run(List.of("apt-get", "update", "-qq"));
        run(List.of("apt-get", "install", "-y", "-qq", "--no-install-recommends", "python3-dkim", "postfix",
                "dnsmasq-base"));
    }

    private static void run(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
            pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                System.err.println("[peer-tools] " + String.join(" ", command) + " failed:\n" + out);
            }
        } catch (IOException e) {
            System.err.println("[peer-tools] cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
