package io.postwire.dkim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.postwire.message.MessageComposer;
import io.postwire.message.MessageContent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signs what MessageComposer produces and has dkimpy, an independent implementation, verify it
 * with the public key from {@link DkimKeys#dnsTxtRecord}. Never skipped: without dkimpy this
 * test fails and says how to install it.
 */
class DkimInteropTest {

    private static final String PYTHON = "/usr/bin/python3";

    /** argv: message file, TXT record file. Exit 0 when the top signature verifies, 1 when not. */
    private static final String VERIFY = String.join("\n",
            "import sys, dkim",
            "message = open(sys.argv[1], 'rb').read()",
            "txt = open(sys.argv[2], 'rb').read()",
            "def dnsfunc(name, timeout=5):",
            "    return txt if name.rstrip(b'.') == b'postwire._domainkey.example.com' else None",
            "sys.exit(0 if dkim.verify(message, dnsfunc=dnsfunc) else 1)");

    @TempDir
    Path dir;

    private static KeyPair keys;

    @BeforeAll
    static void requireDkimpy() throws Exception {
        String missing = io.postwire.testsupport.PeerTools.ensureDkimpy();
        if (missing != null) {
            fail(missing);
        }
        keys = DkimKeys.generateRsa2048();
    }

    @Test
    void dkimpyVerifiesAComposedAndSignedMessage() throws Exception {
        assertEquals(0, verify(signedMessage()), "dkimpy rejected our signature");
    }

    @Test
    void tamperedBodyFailsVerification() throws Exception {
        String signed = signedMessage();
        String tampered = signed.replace("See you at =C3=BC", "See you at =C3=A4");
        assertTrue(!tampered.equals(signed), "test message changed; tampering did not apply");

        assertEquals(1, verify(tampered));
    }

    @Test
    void addedFromHeaderFailsVerificationBecauseFromIsOversigned() throws Exception {
        String signed = signedMessage();
        int endOfHeaders = signed.indexOf("\r\n\r\n") + 2;
        String appended = signed.substring(0, endOfHeaders) + "From: mallory@evil.test\r\n" + signed.substring(endOfHeaders);
        int afterSignature = signed.indexOf("\r\nMIME-Version:") + 2;
        String prepended = signed.substring(0, afterSignature) + "From: mallory@evil.test\r\n"
                + signed.substring(afterSignature);

        assertEquals(1, verify(appended), "second From below the signed one");
        assertEquals(1, verify(prepended), "second From above the signed one");
    }

    private String signedMessage() {
        MessageContent content = new MessageContent("Jörg Müller <joerg@example.com>", List.of("bob@example.org"),
                List.of("Carol <carol@example.org>"), "Grüße — interop check",
                "Hello Bob,\nSee you at ü.  \n\n\n", "<p>Hello   Bob</p>\n",
                Map.of("List-Unsubscribe", "<mailto:u-1@example.com>", "X-Postwire-Id", "interop-1"),
                "interop-1@example.com", Instant.now());
        byte[] message = new MessageComposer().compose(content);
        DkimSigner signer = new DkimSigner(new DkimKey("example.com", "postwire", keys.getPrivate()));
        return new String(signer.sign(message, Instant.now()), StandardCharsets.ISO_8859_1);
    }

    private int verify(String message) throws Exception {
        Path messageFile = Files.createTempFile(dir, "msg", ".eml");
        Files.write(messageFile, message.getBytes(StandardCharsets.ISO_8859_1));
        Path txtFile = dir.resolve("txt");
        Files.writeString(txtFile, DkimKeys.dnsTxtRecord(keys.getPublic()), StandardCharsets.US_ASCII);
        Process python = new ProcessBuilder(PYTHON, "-c", VERIFY, messageFile.toString(), txtFile.toString())
                .redirectErrorStream(true).start();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!python.waitFor(60, TimeUnit.SECONDS)) {
            python.destroyForcibly();
            fail("dkimpy verify timed out");
        }
        if (python.exitValue() > 1) {
            fail("dkimpy verify crashed: " + output);
        }
        return python.exitValue();
    }
}
