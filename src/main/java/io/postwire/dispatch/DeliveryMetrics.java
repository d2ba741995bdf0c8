package io.postwire.dispatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.postwire.event.EventType;
import io.postwire.event.PostwireEvent;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/** Delivery counters and latency on {@code /q/metrics} ({@code postwire_deliveries_total{outcome}}). */
// Created at start so the counters are exported (at zero) before the first delivery.
@io.quarkus.runtime.Startup
@ApplicationScoped
public class DeliveryMetrics {

    private final Map<EventType, Counter> outcomes = new EnumMap<>(EventType.class);
    private final Counter unsigned;
    private final Counter parked;
    private final Counter rekeyed;
    private final Timer latency;

    DeliveryMetrics(MeterRegistry registry) {
        for (EventType t : EventType.values()) {
            String name = t.typeName().substring(t.typeName().lastIndexOf('.') + 1).toLowerCase();
            outcomes.put(t, registry.counter("postwire.deliveries", "outcome", name));
        }
        unsigned = registry.counter("postwire.dkim.unsigned");
        parked = registry.counter("postwire.dispatch.parked");
        rekeyed = registry.counter("postwire.dispatch.rekeyed");
        latency = Timer.builder("postwire.delivery.latency")
                .description("from the send request to the relay's 250")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
    }

    void outcome(PostwireEvent event) {
        outcomes.get(EventType.of(event)).increment();
    }

    /** A send put back on the retry topic because its site could not take it soon. */
    void parked() {
        parked.increment();
    }

    /** A send that reached the wrong owner and was written again keyed by its site. */
    void rekeyed() {
        rekeyed.increment();
    }

    void unsigned() {
        unsigned.increment();
    }

    void deliveredAfter(Duration d) {
        latency.record(d);
    }
}
