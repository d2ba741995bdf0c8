package io.postwire.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * The configured API keys, kept only as SHA-256 digests. Application-scoped (created on first
 * use at run time) because request filters are set up before configuration mappings exist.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);

    private final List<byte[]> digests;

    ApiKeys(ApiConfig config) {
        this.digests = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip).filter(k -> !k.isEmpty()).map(ApiKeys::sha256).toList();
        if (digests.isEmpty()) {
            LOG.warn("no API keys configured (POSTWIRE_API_KEYS): every /api call will be refused");
        }
    }

    /**
     * A non-secret id of the presented key (a digest prefix), or null when it is not known.
     * Digests are compared in constant time so response timing does not leak key prefixes.
     */
    public String idOf(String presented) {
        byte[] digest = sha256(presented);
        String found = null;
        for (byte[] known : digests) {
            if (MessageDigest.isEqual(known, digest)) {
                found = HexFormat.of().formatHex(known, 0, 8);
            }
        }
        return found;
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
