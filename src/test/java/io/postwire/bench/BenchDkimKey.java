package io.postwire.bench;

import io.postwire.dkim.DkimKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;

/**
 * The bench's DKIM identity: a fresh RSA-2048 key for {@value #DOMAIN}, selector
 * {@value #SELECTOR}, written where the app (private key) and the verifier (DNS TXT record) read it.
 *
 * <p>A new key per run keeps the bench self-contained: no DNS, no key committed to the repository.
 */
record BenchDkimKey(Path keyFile, Path txtFile) {

    static final String DOMAIN = "example.test";
    static final String SELECTOR = "bench";

    static BenchDkimKey create(Path dir) throws Exception {
        KeyPair keys = DkimKeys.generateRsa2048();
        Path keyFile = Files.writeString(dir.resolve("dkim.pem"), DkimKeys.toPkcs8Pem(keys.getPrivate()));
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        Path txtFile = Files.writeString(dir.resolve("dkim.txt"), DkimKeys.dnsTxtRecord(keys.getPublic()));
        return new BenchDkimKey(keyFile, txtFile);
    }
}
