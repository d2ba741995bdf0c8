package io.postwire.smtp;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link SmtpClient#send} attempt produced: which server it talked to ({@code host:port}),
 * whether the session ran over TLS, one {@link RecipientResult} per envelope recipient, in
 * envelope order, and, when the attempt failed because TLS could not be had as the target's
 * {@link TlsMode} required, which TLS check failed.
 */
public record SmtpResult(String remoteHost, boolean tlsUsed, List<RecipientResult> recipients,
        Optional<TlsFailure> tlsFailure) {

    public SmtpResult {
        Objects.requireNonNull(remoteHost, "remoteHost");
        recipients = List.copyOf(recipients);
        Objects.requireNonNull(tlsFailure, "tlsFailure");
    }

    /** A result without a TLS failure. */
    public SmtpResult(String remoteHost, boolean tlsUsed, List<RecipientResult> recipients) {
        this(remoteHost, tlsUsed, recipients, Optional.empty());
    }

    /** True when every recipient was accepted by the server. */
    public boolean allAccepted() {
        return recipients.stream().allMatch(RecipientResult::isAccepted);
    }

    /** The result for one recipient, by address as given in the envelope. */
    public RecipientResult recipient(String address) {
        return recipients.stream()
                .filter(r -> r.recipient().equals(address))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not in envelope: " + address));
    }
}
