package io.postwire.shaping;

/** Which limits a throttle cuts. Messages per connection and the daily cap are never cut. */
public enum ThrottleScope {
    /** The message rate: the site objects to volume. */
    RATE,
    /** Concurrent connections and the new-connection rate: the site objects to connections. */
    CONNECTIONS,
    /** Both. */
    ALL;

    boolean cutsRate() {
        return this != CONNECTIONS;
    }

    boolean cutsConnections() {
        return this != RATE;
    }
}
