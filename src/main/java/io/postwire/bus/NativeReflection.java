package io.postwire.bus;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Types Jackson reads or writes by reflection in {@link io.postwire.event.EventCodec} and in API
 * bodies. A native image keeps only what is registered here; the JVM build does not need it.
 */
@RegisterForReflection(targets = {
    io.postwire.event.SendRequested.class,
    io.postwire.event.RetryScheduled.class,
    io.postwire.event.Delivered.class,
    io.postwire.event.Deferred.class,
    io.postwire.event.Bounced.class,
    io.postwire.event.Rejected.class,
    io.postwire.event.Expired.class,
    io.postwire.event.Complained.class,
    io.postwire.event.SiteThrottled.class,
    io.postwire.event.SiteSuspended.class,
    io.postwire.event.SiteResumed.class,
    io.postwire.event.SiteLimits.class,
    io.postwire.event.SiteLimits.Rate.class,
    io.postwire.event.SmtpReply.class,
    io.postwire.event.BounceClass.class,
    io.postwire.event.Rejected.Reason.class,
    io.postwire.ingest.MessageRequest.class,
    io.postwire.ingest.SubmissionReceipt.class,
    io.postwire.ingest.SubmissionReceipt.RecipientReceipt.class,
    io.postwire.api.Problem.class,
    io.postwire.api.Problem.FieldError.class
})
final class NativeReflection {

    private NativeReflection() {
    }
}
