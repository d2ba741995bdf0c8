package io.postwire.ingest;

import io.postwire.api.ApiKeyFilter;
import io.postwire.api.Problem;
import io.postwire.api.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** {@code POST /api/v1/messages}: the REST door for send requests. */
@Path("/api/v1/messages")
public class MessageSubmissionResource {

    private final MessageIngest ingest;

    MessageSubmissionResource(MessageIngest ingest) {
        this.ingest = ingest;
    }

    /**
     * Answers 202 once every recipient's SendRequested is on Kafka. The idempotency key may come
     * in the body or, as is conventional, in an {@code Idempotency-Key} header.
     */
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> submit(MessageRequest body, @HeaderParam("Idempotency-Key") String headerKey,
            @Context ContainerRequestContext context) {
        MessageRequest request = withHeaderKey(body, headerKey);
        String keyId = (String) context.getProperty(ApiKeyFilter.KEY_ID);
        return ingest.submit(request, keyId).map(a -> Response.accepted(a.receipt())
                .location(URI.create("/api/v1/messages/" + a.receipt().messageId()))
                .header("Idempotent-Replayed", a.replayed() ? "true" : null)
                .build());
    }

    private static MessageRequest withHeaderKey(MessageRequest b, String headerKey) {
        if (headerKey == null || b == null) {
            return b;
        }
        if (b.idempotencyKey() != null && !b.idempotencyKey().equals(headerKey)) {
            throw new ProblemException(Problem.invalid(List.of(new Problem.FieldError("idempotencyKey",
                    "differs from the Idempotency-Key header"))));
        }
        return new MessageRequest(b.from(), b.fromName(), b.to(), b.cc(), b.bcc(), b.subject(), b.text(), b.html(),
                b.headers(), b.tags(), headerKey);
    }
}
