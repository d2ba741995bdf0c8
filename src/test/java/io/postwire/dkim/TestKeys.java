package io.postwire.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the files under src/test/resources/dkim that the DKIM tests share. */
final class TestKeys {

    static final String DOMAIN = "example.com";
    static final String SELECTOR = "postwire";

    private TestKeys() {
    }

    static Path resource(String name) {
        URL url = TestKeys.class.getResource("/dkim/" + name);
        if (url == null) {
            throw new IllegalStateException("missing test resource dkim/" + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The key make-golden.py signs with (it reads the PKCS#1 copy of the same key). */
    static DkimKey key() {
        return DkimKeys.load(DOMAIN, SELECTOR, resource("test-pkcs8.pem"));
    }
}
