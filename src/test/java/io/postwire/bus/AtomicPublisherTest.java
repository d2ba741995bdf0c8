package io.postwire.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.postwire.event.EventEnvelope;
import io.postwire.event.SendRequested;
import io.postwire.testsupport.DeliveryTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A group of send requests is accepted whole or not at all: when one record of the group
 * cannot be written, the others never reach the dispatcher (it reads committed records only).
 */
@QuarkusTest
@QuarkusTestResource(DeliveryTestResource.class)
class AtomicPublisherTest {

    @Inject
    AtomicPublisher publisher;

    private static SendRequested send(String recipient, String text) {
        String id = UUID.randomUUID().toString();
        return new SendRequested(id, id + ".1", "app@example.test", recipient, null, List.of(recipient), null, "s",
                text, null, null, Map.of(), List.of(), null, Instant.now(), null);
    }

    private static AtomicPublisher.Keyed keyed(SendRequested s) {
        return new AtomicPublisher.Keyed(Topics.SEND, SendKeys.siteKey(s), EventEnvelope.of("test", Instant.now(), s));
    }

    @Test
    void aGroupWithOneUnwritableRecordDeliversNothing() throws Exception {
        String first = "atomic-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        SendRequested tooLarge = send("big@dest.test", "x".repeat(Topics.MAX_MESSAGE_BYTES + 1024));
        assertThrows(RuntimeException.class, () -> publisher.publishAll(List.of(keyed(send(first, "hello")),
                keyed(tooLarge))).await().atMost(Duration.ofSeconds(30)));

        // The same pipeline is live: a group that can be written is delivered.
        String control = "atomic-ok-" + UUID.randomUUID().toString().substring(0, 8) + "@dest.test";
        publisher.publishAll(List.of(keyed(send(control, "hello")))).await().atMost(Duration.ofSeconds(30));
        DeliveryTestResource.smtp().awaitMessageFor(control, Duration.ofSeconds(30));
        Thread.sleep(1000); // the aborted record was earlier on the same partition: it had its chance
        assertEquals(0, DeliveryTestResource.smtp().messages().stream().filter(m -> m.recipients().contains(first)).count(),
                "a record of the aborted group was delivered");
    }
}
