package io.postwire.api;

import jakarta.inject.Singleton;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every {@code /api} call needs {@code Authorization: Bearer <key>} with a key from
 * {@code POSTWIRE_API_KEYS}. With no keys configured nothing under {@code /api} is reachable:
 * the safe default.
 */
@Singleton
public class ApiKeyFilter {

    /** Request property holding a non-secret id of the caller's key (for idempotency scoping). */
    public static final String KEY_ID = "postwire.api-key-id";

    private final ApiKeys keys;

    ApiKeyFilter(ApiKeys keys) {
        this.keys = keys;
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
        String keyId = keys.idOf(header.substring(7).strip());
        if (keyId == null) {
            return unauthorized("unknown API key");
        }
        request.setProperty(KEY_ID, keyId);
        return null;
    }

    private static Response unauthorized(String detail) {
        Response r = Problem.of(401, "unauthorized", "Unauthorized", detail).toResponse();
        return Response.fromResponse(r).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"postwire\"").build();
    }
}
