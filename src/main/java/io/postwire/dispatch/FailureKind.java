package io.postwire.dispatch;

/**
 * Why an attempt did not end, for choosing its retry schedule ({@link RetrySchedule}): each kind
 * of trouble clears up at its own pace.
 */
enum FailureKind {
    /** No reply: refused, timed out, connection lost, DNS did not answer. */
    NETWORK,
    /** The server answered 4xx. */
    REPLY_4XX,
    /** Our own shaping held the send back (site suspended or its rate far ahead): parked. */
    THROTTLED,
    /** TLS could not be had as the policy (MTA-STS enforce, tls=required) demands. */
    TLS_POLICY
}
