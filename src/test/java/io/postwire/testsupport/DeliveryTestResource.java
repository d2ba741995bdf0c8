package io.postwire.testsupport;

import io.postwire.dkim.DkimKeys;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a Postwire process needs for end-to-end tests: the shared embedded Kafka and
 * PostgreSQL, a real SMTP server as relay (answers by magic local part, see
 * {@link TestSmtpServer}), and a freshly generated DKIM key for {@code example.test}.
 */
public class DeliveryTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String API_KEY = "test-key-0123456789";
    public static final String DKIM_DOMAIN = "example.test";
    public static final String DKIM_SELECTOR = "e2e";
    public static final String BOUNCE_DOMAIN = "bounces.example.test";
    public static final String BOUNCE_SECRET = "e2e-bounce-secret-0123456789";

    private static TestSmtpServer smtp;
    private static String dkimTxt;

    @Override
    public Map<String, String> start() {
        try {
            Map<String, String> config = new HashMap<>(PostwireInfra.config());
            smtp = TestSmtpServer.start();
            KeyPair keys = DkimKeys.generateRsa2048();
            Path keyFile = Files.createTempFile("postwire-dkim", ".pem");
            Files.writeString(keyFile, DkimKeys.toPkcs8Pem(keys.getPrivate()));
            keyFile.toFile().deleteOnExit();
            dkimTxt = DkimKeys.dnsTxtRecord(keys.getPublic());
            config.put("postwire.api-keys", API_KEY + ",second-key");
            config.put("postwire.relay.host", "127.0.0.1");
            config.put("postwire.relay.port", Integer.toString(smtp.port()));
            config.put("postwire.relay.tls", "off");
            config.put("postwire.dkim.domain", DKIM_DOMAIN);
            config.put("postwire.dkim.selector", DKIM_SELECTOR);
            config.put("postwire.dkim.key-file", keyFile.toString());
            config.put("postwire.dispatch.retry.initial", "PT1S");
            config.put("postwire.dispatch.retry.max", "PT2S");
            config.put("postwire.kafka.partitions", "3");
            config.put("postwire.bounce.domain", BOUNCE_DOMAIN);
            config.put("postwire.bounce.secret", BOUNCE_SECRET);
            // The SMTP doors, with STARTTLS from a self-signed certificate (AUTH needs TLS).
            SelfSignedTls.PemFiles tls = SelfSignedTls.writePem(Files.createTempDirectory("postwire-e2e-tls"));
            config.put("postwire.submission.tls.certificate-file", tls.certificate().toString());
            config.put("postwire.submission.tls.key-file", tls.privateKey().toString());
            config.put("postwire.submission.auth-failure-delay", "PT0.2S");
            config.put("postwire.inbound.tls.certificate-file", tls.certificate().toString());
            config.put("postwire.inbound.tls.key-file", tls.privateKey().toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the delivery test environment", e);
        }
    }

    @Override
    public void stop() {
        if (smtp != null) {
            smtp.close();
        }
    }

    public static TestSmtpServer smtp() {
        return smtp;
    }

    public static String dkimTxtRecord() {
        return dkimTxt;
    }
}
