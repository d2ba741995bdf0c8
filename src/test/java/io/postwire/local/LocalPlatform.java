package io.postwire.local;

import io.postwire.dkim.DkimKeys;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.PostwireProcess;
import io.postwire.testsupport.ReceivedMessage;
import io.postwire.testsupport.SelfSignedTls;
import io.postwire.testsupport.TestSmtpServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Runs the whole platform on one machine with nothing installed but a JDK: a real single-node
 * KRaft Kafka broker, a real PostgreSQL, a local SMTP sink that writes every message it gets to
 * {@code target/local/mail/}, and Postwire itself (the packaged application, as in production)
 * pointed at them. {@code POSTWIRE_*} variables set by the user win over the local defaults.
 */
public final class LocalPlatform {

    private static final Path HOME = Path.of("target", "local");

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        Files.createDirectories(HOME);
        EmbeddedKafka kafka = EmbeddedKafka.start(HOME.resolve("kafka").toAbsolutePath(), intEnv("POSTWIRE_LOCAL_KAFKA_PORT", 9092));
        EmbeddedPg pg = EmbeddedPg.start(HOME.resolve("postgres").toAbsolutePath(), intEnv("POSTWIRE_LOCAL_PG_PORT", 15432));

        // POSTWIRE_LOCAL_JVM_OPTS: extra JVM options for the application only (heap, a profiler).
        List<String> command = new java.util.ArrayList<>(List.of("java"));
        String jvmOpts = env.getOrDefault("POSTWIRE_LOCAL_JVM_OPTS", "").strip();
        if (!jvmOpts.isEmpty()) {
            command.addAll(List.of(jvmOpts.split("\\s+")));
        }
        command.addAll(List.of("-jar", PostwireProcess.JAR.toString()));
        ProcessBuilder app = new ProcessBuilder(command).inheritIO();
        Map<String, String> appEnv = app.environment();
        appEnv.putAll(PostwireProcess.wiring(kafka, pg));

        String apiKeys = env.get("POSTWIRE_API_KEYS");
        if (apiKeys == null || apiKeys.isBlank()) {
            byte[] random = new byte[18];
            new SecureRandom().nextBytes(random);
            apiKeys = "local-" + HexFormat.of().formatHex(random);
            appEnv.put("POSTWIRE_API_KEYS", apiKeys);
        }

        TestSmtpServer sink = null;
        Path mailDir = HOME.resolve("mail").toAbsolutePath();
        if (env.get("POSTWIRE_RELAY_HOST") == null) {
            sink = TestSmtpServer.start();
            appEnv.put("POSTWIRE_RELAY_HOST", "127.0.0.1");
            appEnv.put("POSTWIRE_RELAY_PORT", Integer.toString(sink.port()));
            appEnv.put("POSTWIRE_RELAY_TLS", "off");
            Files.createDirectories(mailDir);
            startMailWriter(sink, mailDir);
        }

        String dkimDomain = env.getOrDefault("POSTWIRE_DKIM_DOMAIN", "example.test");
        String dkimSelector = env.getOrDefault("POSTWIRE_DKIM_SELECTOR", "postwire");
        String dkimTxt = null;
        if (env.get("POSTWIRE_DKIM_KEY_FILE") == null) {
            Path keyFile = HOME.resolve("dkim").resolve(dkimDomain + ".pem").toAbsolutePath();
            Path txtFile = HOME.resolve("dkim").resolve(dkimDomain + ".txt").toAbsolutePath();
            if (!Files.exists(keyFile)) {
                Files.createDirectories(keyFile.getParent());
                KeyPair keys = DkimKeys.generateRsa2048();
                Files.writeString(keyFile, DkimKeys.toPkcs8Pem(keys.getPrivate()));
                Files.writeString(txtFile, DkimKeys.dnsTxtRecord(keys.getPublic()));
            }
            appEnv.put("POSTWIRE_DKIM_DOMAIN", dkimDomain);
            appEnv.put("POSTWIRE_DKIM_SELECTOR", dkimSelector);
            appEnv.put("POSTWIRE_DKIM_KEY_FILE", keyFile.toString());
            dkimTxt = Files.exists(txtFile) ? Files.readString(txtFile) : null;
        }

        // SMTP doors: submission with STARTTLS + AUTH (an API key is the password), inbound for
        // bounces and complaints addressed to the signed VERP return path.
        SelfSignedTls.PemFiles tls = SelfSignedTls.writePem(HOME.resolve("tls").toAbsolutePath());
        putDefault(appEnv, env, "POSTWIRE_SUBMISSION_PORT", "2587");
        putDefault(appEnv, env, "POSTWIRE_SUBMISSION_TLS_CERTIFICATE_FILE", tls.certificate().toString());
        putDefault(appEnv, env, "POSTWIRE_SUBMISSION_TLS_KEY_FILE", tls.privateKey().toString());
        putDefault(appEnv, env, "POSTWIRE_INBOUND_PORT", "2525");
        putDefault(appEnv, env, "POSTWIRE_INBOUND_TLS_CERTIFICATE_FILE", tls.certificate().toString());
        putDefault(appEnv, env, "POSTWIRE_INBOUND_TLS_KEY_FILE", tls.privateKey().toString());
        putDefault(appEnv, env, "POSTWIRE_BOUNCE_DOMAIN", "bounces." + dkimDomain);
        Path secretFile = HOME.resolve("bounce-secret").toAbsolutePath();
        if (!Files.exists(secretFile)) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            Files.writeString(secretFile, HexFormat.of().formatHex(random));
        }
        putDefault(appEnv, env, "POSTWIRE_BOUNCE_SECRET", Files.readString(secretFile).strip());

        Process process = app.start();
        TestSmtpServer finalSink = sink;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            if (finalSink != null) {
                finalSink.close();
            }
            pg.close();
            kafka.close();
        }));

        String port = env.getOrDefault("QUARKUS_HTTP_PORT", "8080");
        System.out.println(String.join("\n", List.of(
                "",
                "================ Postwire local platform ================",
                " API            http://localhost:" + port + "/api/v1/messages",
                " API key        " + (env.get("POSTWIRE_API_KEYS") == null ? apiKeys + "  (generated; set POSTWIRE_API_KEYS to choose)" : "from POSTWIRE_API_KEYS"),
                " Health         http://localhost:" + port + "/q/health/ready",
                " Metrics        http://localhost:" + port + "/q/metrics",
                " Kafka          " + kafka.bootstrapServers() + "  (data in " + kafka.dataDir() + ")",
                " PostgreSQL     " + pg.reactiveUrl() + "  user postwire / postwire",
                " Relay          " + (finalSink != null ? "local sink 127.0.0.1:" + finalSink.port()
                        + ", every message lands in " + mailDir
                        + "\n                (tempfail*@ gets 451, permfail*@ gets 550 5.1.1)" : env.get("POSTWIRE_RELAY_HOST") + ":" + env.getOrDefault("POSTWIRE_RELAY_PORT", "25")),
                " DKIM           d=" + dkimDomain + " s=" + dkimSelector + (dkimTxt != null ? "  TXT: " + dkimTxt : ""),
                " Submission     127.0.0.1:" + appEnv.get("POSTWIRE_SUBMISSION_PORT")
                        + " STARTTLS + AUTH PLAIN/LOGIN (any user name, an API key as password)",
                " Inbound        127.0.0.1:" + appEnv.get("POSTWIRE_INBOUND_PORT") + " bounces and complaints for @"
                        + appEnv.get("POSTWIRE_BOUNCE_DOMAIN"),
                " Try it:",
                "   curl -i -H 'Authorization: Bearer " + apiKeys.split(",")[0] + "' -H 'Content-Type: application/json' \\",
                "     -d '{\"from\":\"hello@" + dkimDomain + "\",\"to\":[\"you@dest.test\"],\"subject\":\"Hi\",\"text\":\"It works\"}' \\",
                "     http://localhost:" + port + "/api/v1/messages",
                "   swaks --server 127.0.0.1:" + appEnv.get("POSTWIRE_SUBMISSION_PORT") + " --tls"
                        + " --auth PLAIN --auth-user apikey --auth-password '" + apiKeys.split(",")[0] + "' \\",
                "     --from hello@" + dkimDomain + " --to you@dest.test",
                " Stop with Ctrl-C.",
                "=========================================================", "")));
        System.exit(process.waitFor());
    }

    /** Writes each message the sink received to its own .eml file. */
    private static void startMailWriter(TestSmtpServer sink, Path dir) {
        Thread t = new Thread(() -> {
            int written = 0;
            while (true) {
                List<ReceivedMessage> all = sink.messages();
                for (; written < all.size(); written++) {
                    ReceivedMessage m = all.get(written);
                    try {
                        Files.write(dir.resolve(String.format("%06d-%s.eml", written + 1,
                                m.recipients().get(0).replaceAll("[^A-Za-z0-9@._-]", "_"))), m.data());
                    } catch (Exception e) {
                        System.err.println("cannot write mail: " + e);
                    }
                }
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "local-mail-writer");
        t.setDaemon(true);
        t.start();
    }

    /** The user's own setting wins over the local default. */
    private static void putDefault(Map<String, String> appEnv, Map<String, String> env, String name, String value) {
        appEnv.put(name, env.getOrDefault(name, value));
    }

    private static int intEnv(String name, int fallback) {
        String v = System.getenv(name);
        return v == null ? fallback : Integer.parseInt(v);
    }
}
