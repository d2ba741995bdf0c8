package io.postwire.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;
import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api} call needs {@code Authorization: Bearer <key>} with a key from
 * {@code POSTWIRE_API_KEYS}. With no keys configured nothing under {@code /api} is reachable:
 * the safe default.
 */
@Singleton
public class ApiKeyFilter {

    private static final Logger LOG = Logger.getLogger(ApiKeyFilter.class);
    /** Request property holding a non-secret id of the caller's key (for idempotency scoping). */
    public static final String KEY_ID = "postwire.api-key-id";

    /** API access settings. */
    @ConfigMapping(prefix = "postwire")
    public interface ApiKeys {
        /** Accepted bearer keys (env {@code POSTWIRE_API_KEYS}, comma-separated). No default: empty denies all. */
        @WithName("api-keys")
        Optional<List<String>> apiKeys();
    }

    private final List<byte[]> keyDigests;

    ApiKeyFilter(ApiKeys config) {
        this.keyDigests = config.apiKeys().orElse(List.of()).stream()
                .map(String::strip).filter(k -> !k.isEmpty()).map(ApiKeyFilter::sha256).toList();
        if (keyDigests.isEmpty()) {
            LOG.warn("no API keys configured (POSTWIRE_API_KEYS): every /api call will be refused");
        }
    }

    @ServerRequestFilter(preMatching = true)
    public Response authenticate(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/") && !path.equals("/api")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("missing Authorization: Bearer <api key>");
        }
        byte[] presented = sha256(header.substring(7).strip());
        // Compare digests in constant time so response timing does not leak key prefixes.
        for (byte[] known : keyDigests) {
            if (MessageDigest.isEqual(known, presented)) {
                request.setProperty(KEY_ID, HexFormat.of().formatHex(known, 0, 8));
                return null;
            }
        }
        return unauthorized("unknown API key");
    }

    private static Response unauthorized(String detail) {
        Response r = Problem.of(401, "unauthorized", "Unauthorized", detail).toResponse();
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"postwire\"").build();
    }

    private static byte[] sha256(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
