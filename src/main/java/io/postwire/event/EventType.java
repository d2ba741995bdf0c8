package io.postwire.event;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The CloudEvents {@code type} of each event and the schema version this build writes. Type
 * names are part of the public contract (see {@code kafka/schemas/}): never rename one.
 */
public enum EventType {
    SEND_REQUESTED("io.postwire.SendRequested", SendRequested.class),
    RETRY_SCHEDULED("io.postwire.RetryScheduled", RetryScheduled.class),
    DELIVERED("io.postwire.Delivered", Delivered.class),
    DEFERRED("io.postwire.Deferred", Deferred.class),
    BOUNCED("io.postwire.Bounced", Bounced.class),
    REJECTED("io.postwire.Rejected", Rejected.class),
    EXPIRED("io.postwire.Expired", Expired.class),
    COMPLAINED("io.postwire.Complained", Complained.class);

    /** Written into every envelope; readers accept this and every older version they upcast. */
    public static final int CURRENT_SCHEMA_VERSION = 1;

    private static final Map<String, EventType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.typeName, Function.identity()));

    private final String typeName;
    private final Class<? extends PostwireEvent> javaType;

    EventType(String typeName, Class<? extends PostwireEvent> javaType) {
        this.typeName = typeName;
        this.javaType = javaType;
    }

    public String typeName() {
        return typeName;
    }

    public Class<? extends PostwireEvent> javaType() {
        return javaType;
    }

    public static Optional<EventType> byName(String typeName) {
        return Optional.ofNullable(BY_NAME.get(typeName));
    }

    public static EventType of(PostwireEvent event) {
        for (EventType t : values()) {
            if (t.javaType == event.getClass()) {
                return t;
            }
        }
        throw new IllegalStateException("no EventType for " + event.getClass());
    }
}
