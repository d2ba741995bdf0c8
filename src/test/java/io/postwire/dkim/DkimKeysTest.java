package io.postwire.dkim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimKeysTest {

    @Test
    void pkcs8AndPkcs1FilesGiveTheSameKey() {
        DkimKey pkcs8 = DkimKeys.load("example.com", "postwire", TestKeys.resource("test-pkcs8.pem"));
        DkimKey pkcs1 = DkimKeys.load("example.com", "postwire", TestKeys.resource("test-pkcs1.pem"));

        assertEquals("example.com", pkcs8.domain());
        assertEquals("postwire", pkcs8.selector());
        assertArrayEquals(pkcs8.privateKey().getEncoded(), pkcs1.privateKey().getEncoded());
        RSAPrivateCrtKey crt = (RSAPrivateCrtKey) pkcs1.privateKey();
        assertEquals(2048, crt.getModulus().bitLength());
    }

    @Test
    void generatedKeyRoundTripsThroughPemAndSignsForItsTxtRecord() throws Exception {
        KeyPair pair = DkimKeys.generateRsa2048();
        String pem = DkimKeys.toPkcs8Pem(pair.getPrivate());
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertTrue(pem.lines().allMatch(l -> l.length() <= 64));

        PrivateKey read = DkimKeys.readPem(pem);
        assertArrayEquals(pair.getPrivate().getEncoded(), read.getEncoded());

        String txt = DkimKeys.dnsTxtRecord(pair.getPublic());
        assertTrue(txt.startsWith("v=DKIM1; k=rsa; p="), txt);
        byte[] spki = Base64.getDecoder().decode(txt.substring("v=DKIM1; k=rsa; p=".length()));
        assertArrayEquals(pair.getPublic().getEncoded(), spki);

        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(read);
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertTrue(verifier.verify(signer.sign()));
    }

    @Test
    void pemWithWindowsLineEndsIsAccepted() {
        String pem = new String(TestKeys.bytes("test-pkcs1.pem"), StandardCharsets.US_ASCII).replace("\n", "\r\n");
        assertEquals("RSA", DkimKeys.readPem(pem).getAlgorithm());
    }

    @Test
    void garbageIsRejectedWithAClearMessage() {
        assertMessage("no '-----BEGIN", "hello world");
        assertMessage("PEM text is empty", "  ");
        assertMessage("unsupported PEM block 'CERTIFICATE'",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertMessage("decrypt it first",
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertMessage("not valid base64",
                "-----BEGIN PRIVATE KEY-----\n!!!not base64!!!\n-----END PRIVATE KEY-----\n");
        assertMessage("not a valid RSA private key",
                "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQ=\n-----END RSA PRIVATE KEY-----\n");
        assertMessage("has no '-----END PRIVATE KEY-----' line", "-----BEGIN PRIVATE KEY-----\nAAAA\n");
        assertMessage("encrypted", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    }

    @Test
    void loadNamesTheFileInItsError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("broken.pem");
        Files.writeString(file, "not a key");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DkimKeys.load("example.com", "s1", file));
        assertTrue(e.getMessage().contains("broken.pem"), e.getMessage());
    }

    @Test
    void keyRecordRefusesNamesThatWouldBreakTheTagList() {
        PrivateKey key = TestKeys.key().privateKey();
        assertThrows(IllegalArgumentException.class, () -> new DkimKey("example.com; x=y", "s1", key));
        assertThrows(IllegalArgumentException.class, () -> new DkimKey("example.com", "s 1", key));
        assertThrows(IllegalArgumentException.class, () -> new DkimKey("", "s1", key));
    }

    private static void assertMessage(String expectedPart, String pem) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DkimKeys.readPem(pem));
        assertTrue(e.getMessage().contains(expectedPart), "message was: " + e.getMessage());
    }
}
