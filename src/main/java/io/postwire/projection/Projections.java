package io.postwire.projection;

import io.postwire.bus.DeadLetters;
import io.postwire.bus.KafkaClients;
import io.postwire.event.EventCodec;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;

/** Starts one runner per projector when this process has the {@code project} role. */
@ApplicationScoped
public class Projections {

    /** Views may lag this much more under a trickle of events, in exchange for fewer transactions. */
    private static final java.time.Duration BATCH_WAIT = java.time.Duration.ofMillis(250);

    private final Instance<Projector> projectors;
    private final KafkaClients clients;
    private final EventCodec codec;
    private final DeadLetters deadLetters;
    private final ProjectionConfig config;
    private final List<ProjectionRunner> runners = new ArrayList<>();

    Projections(Instance<Projector> projectors, KafkaClients clients, EventCodec codec, DeadLetters deadLetters,
            ProjectionConfig config) {
        this.projectors = projectors;
        this.clients = clients;
        this.codec = codec;
        this.deadLetters = deadLetters;
        this.config = config;
    }

    void start(@Observes @Priority(100) StartupEvent event) {
        if (!config.enabled()) {
            return;
        }
        for (Projector p : projectors) {
            runners.add(new ProjectionRunner(p, clients.batchingConsumer("projection-" + p.name(), 1000, BATCH_WAIT),
                    p.topics(), codec, deadLetters).start());
        }
    }

    void stop(@Observes ShutdownEvent event) {
        runners.forEach(ProjectionRunner::close);
    }
}
