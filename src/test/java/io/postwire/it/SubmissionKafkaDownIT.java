package io.postwire.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.postwire.dkim.DkimKeys;
import io.postwire.testsupport.EmbeddedKafka;
import io.postwire.testsupport.EmbeddedPg;
import io.postwire.testsupport.LoopbackPorts;
import io.postwire.testsupport.PostwireProcess;
import io.postwire.testsupport.TestSmtpServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "Acceptance means durability" at the SMTP door: with Kafka gone, the packaged application must
 * answer the end of DATA with {@code 451 4.3.0} (the client keeps the message and retries), never
 * with 250, and the door must keep serving.
 */
class SubmissionKafkaDownIT {

    @TempDir
    Path dir;

    @Test
    void withoutKafkaTheEndOfDataGets451AndNot250() throws Exception {
        EmbeddedKafka kafka = EmbeddedKafka.start();
        try (EmbeddedPg pg = EmbeddedPg.start(); TestSmtpServer relay = TestSmtpServer.start()) {
            Path key = dir.resolve("dkim.pem");
            Files.writeString(key, DkimKeys.toPkcs8Pem(DkimKeys.generateRsa2048().getPrivate()));
            int smtpPort = LoopbackPorts.free();
            Map<String, String> env = new HashMap<>(PostwireProcess.wiring(kafka, pg));
            env.putAll(Map.of(
                    "POSTWIRE_API_KEYS", "kafka-down-test",
                    "POSTWIRE_RELAY_HOST", "127.0.0.1",
                    "POSTWIRE_RELAY_PORT", Integer.toString(relay.port()),
                    "POSTWIRE_RELAY_TLS", "off",
                    "POSTWIRE_DKIM_DOMAIN", "example.test",
                    "POSTWIRE_DKIM_KEY_FILE", key.toString(),
                    "POSTWIRE_SUBMISSION_PORT", Integer.toString(smtpPort),
                    "POSTWIRE_SUBMISSION_TRUSTED_NETWORKS", "127.0.0.1/32"));
            try (PostwireProcess app = PostwireProcess.start(env, LoopbackPorts.free(), dir.resolve("app.log"),
                    Duration.ofSeconds(120))) {
                String up = submit(smtpPort, "a@dest.test,b@dest.test");
                assertTrue(up.startsWith("250 2.0.0"), "with Kafka up: " + up);

                kafka.close();
                long start = System.nanoTime();
                String down = submit(smtpPort, "c@dest.test,d@dest.test");
                long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
                assertTrue(down.startsWith("451 4.3.0"), "with Kafka down: " + down);
                assertTrue(seconds < 90, "the client waited " + seconds + " s");

                // The door itself is still serving: a new session gets its greeting and EHLO.
                try (Socket s = new Socket("127.0.0.1", smtpPort)) {
                    s.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                    assertTrue(in.readLine().startsWith("220 "));
                }
            }
        } finally {
            kafka.close();
        }
    }

    /** One transaction from a trusted network; returns the reply to the end of DATA. */
    private static String submit(int port, String recipients) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(120_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            expect(in, "220");
            send(out, "EHLO client.test");
            String line;
            do {
                line = in.readLine();
            } while (line != null && line.startsWith("250-"));
            send(out, "MAIL FROM:<app@example.test>");
            expect(in, "250");
            for (String r : recipients.split(",")) {
                send(out, "RCPT TO:<" + r + ">");
                expect(in, "250");
            }
            send(out, "DATA");
            expect(in, "354");
            send(out, "Subject: kafka down test\r\n\r\nbody\r\n.");
            String reply = in.readLine();
            send(out, "QUIT");
            return reply;
        }
    }

    private static void send(OutputStream out, String line) throws Exception {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void expect(BufferedReader in, String code) throws Exception {
        String line = in.readLine();
        if (line == null || !line.startsWith(code)) {
            throw new AssertionError("expected " + code + " but got " + line);
        }
    }
}
