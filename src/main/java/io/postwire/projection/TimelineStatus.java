package io.postwire.projection;

import io.postwire.event.Bounced;
import io.postwire.event.Deferred;
import io.postwire.event.Delivered;
import io.postwire.event.Expired;
import io.postwire.event.PostwireEvent;
import io.postwire.event.Rejected;
import io.postwire.event.SendRequested;

/**
 * The status a recipient's send has after an event. Send requests and outcomes travel on
 * different topics and may be read in either order, so a terminal status is never replaced and
 * "queued" never overwrites anything. The one exception is a bounce that came back by mail
 * (a DSN): the relay accepted the message, so the story said "delivered", and the DSN is the
 * later, truer fact.
 */
public final class TimelineStatus {

    public static final String QUEUED = "queued";
    public static final String DELIVERED = "delivered";

    private TimelineStatus() {
    }

    public static String of(PostwireEvent e) {
        if (e instanceof SendRequested) {
            return QUEUED;
        } else if (e instanceof Deferred) {
            return "deferred";
        } else if (e instanceof Delivered) {
            return DELIVERED;
        } else if (e instanceof Bounced) {
            return "bounced";
        } else if (e instanceof Rejected) {
            return "rejected";
        } else if (e instanceof Expired) {
            return "expired";
        }
        return null;
    }

    public static boolean isTerminal(String status) {
        return status != null && !status.equals(QUEUED) && !status.equals("deferred");
    }

    /** The status after {@code event}, given the current one (null for a new row). */
    public static String evolve(String current, PostwireEvent event) {
        String next = of(event);
        if (event instanceof Bounced b && b.fromDsn() && DELIVERED.equals(current)) {
            return next;
        }
        if (next == null || isTerminal(current)) {
            return current;
        }
        if (QUEUED.equals(next) && current != null) {
            return current;
        }
        return next;
    }
}
