package io.postwire.smtp;

import java.util.List;
import java.util.Objects;

/**
 * What one {@link SmtpClient#send} attempt produced: which server it talked to ({@code host:port}),
 * whether the session ran over TLS, and one {@link RecipientResult} per envelope recipient, in
 * envelope order.
 */
public record SmtpResult(String remoteHost, boolean tlsUsed, List<RecipientResult> recipients) {

    public SmtpResult {
        Objects.requireNonNull(remoteHost, "remoteHost");
        recipients = List.copyOf(recipients);
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
