package io.postwire.event;

/** Argument checks for event compact constructors: a bad event fails where it is made. */
final class Require {

    private Require() {
    }

    static String text(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    static <T> T present(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    /** The four fields that tie every event to its story. */
    static void story(String messageId, String recipientId, String sender, String recipient) {
        text("messageId", messageId);
        text("recipientId", recipientId);
        Addresses.require("sender", sender);
        Addresses.require("recipient", recipient);
    }

    /** The fields every {@link SiteEvent} carries. */
    static void site(String site, String pool, String reason, SiteLimits limits) {
        text("site", site);
        text("pool", pool);
        text("reason", reason);
        present("limits", limits);
    }

    static int attempt(int attempt) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
        }
        return attempt;
    }
}
