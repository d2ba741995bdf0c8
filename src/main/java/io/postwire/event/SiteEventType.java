package io.postwire.event;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The CloudEvents {@code type} of each {@link SiteEvent}. Kept apart from {@link EventType} so
 * that code enumerating the per-recipient event types (metrics, projections) is not handed
 * site events it cannot place in a story. Type names are public contract: never rename one.
 */
public enum SiteEventType {
    SITE_THROTTLED("io.postwire.SiteThrottled", SiteThrottled.class),
    SITE_SUSPENDED("io.postwire.SiteSuspended", SiteSuspended.class),
    SITE_RESUMED("io.postwire.SiteResumed", SiteResumed.class);

    private static final Map<String, SiteEventType> BY_NAME =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(t -> t.typeName, Function.identity()));

    private final String typeName;
    private final Class<? extends SiteEvent> javaType;

    SiteEventType(String typeName, Class<? extends SiteEvent> javaType) {
        this.typeName = typeName;
        this.javaType = javaType;
    }

    public String typeName() {
        return typeName;
    }

    public Class<? extends SiteEvent> javaType() {
        return javaType;
    }

    public static Optional<SiteEventType> byName(String typeName) {
        return Optional.ofNullable(BY_NAME.get(typeName));
    }

    public static SiteEventType of(SiteEvent event) {
        for (SiteEventType t : values()) {
            if (t.javaType == event.getClass()) {
                return t;
            }
        }
        throw new IllegalStateException("no SiteEventType for " + event.getClass());
    }
}
