package io.postwire.smtpd;

import java.util.List;
import java.util.Map;

/**
 * A finished DATA transaction.
 *
 * @param reversePath    the MAIL FROM address without angle brackets (source route stripped);
 *                       {@code ""} for the null sender {@code <>}
 * @param recipients     the accepted RCPT TO addresses in the order given, exact duplicates removed
 * @param mailParameters the MAIL FROM parameters with upper-cased keys in the order given; a
 *                       parameter without a value (SMTPUTF8) maps to {@code ""}
 * @param message        the message exactly as received: dot-unstuffed, every line ending in CRLF,
 *                       without the final {@code "."} line
 */
public record MailTransaction(String reversePath, List<String> recipients, Map<String, String> mailParameters,
                              byte[] message) {

    public MailTransaction {
        recipients = List.copyOf(recipients);
        mailParameters = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(mailParameters));
    }

    /** The message size in octets. */
    public int size() {
        return message.length;
    }

    /** True when the client declared SMTPUTF8 (RFC 6531) for this transaction. */
    public boolean smtpUtf8() {
        return mailParameters.containsKey("SMTPUTF8");
    }

    @Override
    public String toString() {
        return "MailTransaction[from=<" + reversePath + ">, to=" + recipients + ", params=" + mailParameters
                + ", " + message.length + " bytes]";
    }
}
