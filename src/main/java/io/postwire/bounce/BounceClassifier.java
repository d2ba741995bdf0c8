package io.postwire.bounce;

import io.postwire.event.BounceClass;
import io.postwire.event.SmtpReply;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The one place that decides why a reply refused a recipient, whether the reply came in our own
 * SMTP session or inside a delivery status notification.
 *
 * <p>The RFC 3463 enhanced status code (class.subject.detail, registry in RFC 5248) is read first
 * because it is meant for machines; the text is read only where providers overload a code or
 * send none. The order of the steps is the policy:
 * <ol>
 *   <li>X.4.7 (delivery time expired) is {@code EXPIRED} in either class: a relay that gave up
 *       reports it as 4.4.7 or 5.4.7.</li>
 *   <li>Any other 4xx is {@code TRANSIENT}.</li>
 *   <li>A block of the sending IP or domain is {@code SENDER_REPUTATION_BLOCK} whatever the code
 *       says (Outlook sends "550 5.7.1 ... block list", others "5.1.1 ... blocked using"): it says
 *       nothing about the recipient, so it must never reach a suppressing class.</li>
 *   <li>The code's subject and detail ({@link #byCode}), with provider overrides.</li>
 *   <li>The text alone ({@link #byText}), then the basic code.</li>
 * </ol>
 * A wrong suppressing class loses a good address for good, a wrong non-suppressing one costs a
 * few more bounces; where in doubt the rules lean to the non-suppressing class.
 */
public final class BounceClassifier {

    private static final List<String> SENDER_BLOCK = List.of("block list", "blocklist", "blacklist", "blocked using",
            "spamhaus", "spamcop", "barracuda", "dnsbl", "listed at", "listed on", "ip reputation",
            "sender reputation", "low reputation", "poor reputation", "reputation of the sending",
            "banned sending ip", "banned sender", "traffic not accepted from this ip", "unusual rate",
            "not accepted from this ip");
    private static final List<String> AUTHENTICATION = List.of("authenticat", "dmarc", "spf", "dkim", "ptr record",
            "reverse dns");
    private static final List<String> SPAM = List.of("spam", "unsolicited", "junk", "content rejected",
            "content filter", "virus", "malware", "phishing", "security issue", "suspicious");
    private static final List<String> NO_SUCH_USER = List.of("user unknown", "unknown user", "no such user",
            "no such mailbox", "mailbox not found", "mailbox unavailable", "mailbox does not exist",
            "recipient not found", "recipientnotfound", "recipnotfound", "does not exist", "invalid recipient",
            "invalid mailbox", "user not found", "address rejected: user", "user doesn't have",
            "no mailbox here", "account has been disabled", "account is disabled");
    private static final List<String> TOO_LARGE = List.of("too large", "too big", "size exceeds", "exceeds size",
            "exceeded google's message size", "message size", "size limit");
    private static final List<String> FULL = List.of("mailbox full", "mailbox is full", "over quota", "quota exceeded",
            "quotaexceeded", "exceeded storage", "insufficient storage", "out of storage");
    private static final List<String> NO_SUCH_DOMAIN = List.of("host or domain name not found", "domain not found",
            "no such domain", "domain does not exist", "host not found", "host unknown", "nonexistentdomain", "null mx");
    private static final List<String> EXPIRY = List.of("queue.expired", "message expired", "delivery time expired",
            "too long in queue", "retry timeout exceeded");
    private static final List<String> NOT_A_RELAY = List.of("relay access denied", "relaying denied",
            "not permitted to relay", "allowed rcpthosts", "relay not permitted");

    /** Subject.detail codes that say the address or mailbox cannot receive mail (RFC 3463, RFC 7293). */
    private static final Set<String> MAILBOX_GONE = Set.of("1.1", "1.3", "1.6", "2.1", "7.17");

    private BounceClassifier() {
    }

    public static BounceClass classify(SmtpReply reply) {
        String text = reply.text().toLowerCase(Locale.ROOT);
        String subjectDetail = reply.enhancedCode() == null ? null : reply.enhancedCode().substring(2);
        if ("4.7".equals(subjectDetail)) {
            return BounceClass.EXPIRED;
        }
        if (reply.isTransient()) {
            return BounceClass.TRANSIENT;
        }
        if (containsAny(text, SENDER_BLOCK)) {
            return BounceClass.SENDER_REPUTATION_BLOCK;
        }
        if (subjectDetail != null) {
            BounceClass byCode = byCode(subjectDetail, text);
            if (byCode != null) {
                return byCode;
            }
        }
        return byText(reply, text);
    }

    /** The class the enhanced code decides, or null when only the text can tell. */
    private static BounceClass byCode(String subjectDetail, String text) {
        if (MAILBOX_GONE.contains(subjectDetail)) {
            return BounceClass.INVALID_RECIPIENT; // bad mailbox, bad syntax, moved, disabled, owner changed
        }
        switch (subjectDetail) {
            case "1.2", "4.4", "7.18":
                return BounceClass.BAD_DOMAIN; // bad destination system, unable to route, domain owner changed
            case "1.10":
                // RFC 7505 registers X.1.10 as "recipient address has null MX"; Exchange Online uses it
                // for RESOLVER.ADR.RecipientNotFound.
                return containsAny(text, NO_SUCH_USER) ? BounceClass.INVALID_RECIPIENT : BounceClass.BAD_DOMAIN;
            case "4.1":
                // X.4.1 is "no answer from host", but Exchange Online's directory-based edge blocking
                // answers "550 5.4.1 Recipient address rejected: Access denied" for unknown mailboxes.
                return text.contains("recipient address rejected") ? BounceClass.INVALID_RECIPIENT : BounceClass.OTHER;
            case "1.7", "1.8":
                return BounceClass.POLICY; // our own sender address was refused: never the recipient's fault
            case "2.2":
                return BounceClass.MAILBOX_FULL;
            case "2.3", "3.4":
                return BounceClass.MESSAGE_TOO_LARGE;
            default:
                break;
        }
        if (subjectDetail.startsWith("7.")) {
            // Gmail's 5.7.26 text mentions spam too, so authentication is decided before content.
            if (containsAny(text, AUTHENTICATION)) {
                return BounceClass.POLICY;
            }
            return containsAny(text, SPAM) ? BounceClass.SPAM_BLOCK : BounceClass.POLICY;
        }
        return null; // X.0.0, X.1.0, X.5.0 (Outlook's "mailbox unavailable") and friends: read the text
    }

    private static BounceClass byText(SmtpReply reply, String text) {
        if (containsAny(text, EXPIRY)) {
            return BounceClass.EXPIRED; // Exchange writes "550 4.4.7 QUEUE.Expired": a 4.x code under a 5xx
        }
        if (containsAny(text, NOT_A_RELAY)) {
            return BounceClass.POLICY; // the host is not the recipient's MX: says nothing about the mailbox
        }
        if (containsAny(text, NO_SUCH_DOMAIN)) {
            return BounceClass.BAD_DOMAIN; // before users: "domain does not exist" is about the domain
        }
        if (containsAny(text, NO_SUCH_USER)) {
            return BounceClass.INVALID_RECIPIENT;
        }
        if (containsAny(text, FULL)) {
            return BounceClass.MAILBOX_FULL;
        }
        if (containsAny(text, TOO_LARGE)) {
            return BounceClass.MESSAGE_TOO_LARGE;
        }
        if (containsAny(text, SPAM)) {
            return BounceClass.SPAM_BLOCK;
        }
        if (containsAny(text, AUTHENTICATION)) {
            return BounceClass.POLICY;
        }
        // RFC 5321 §4.2.3: without an enhanced code, 550 and 553 are mailbox-level refusals.
        if (reply.enhancedCode() == null && (reply.code() == 550 || reply.code() == 553)) {
            return BounceClass.INVALID_RECIPIENT;
        }
        return BounceClass.OTHER;
    }

    private static boolean containsAny(String text, List<String> needles) {
        for (String n : needles) {
            if (text.contains(n)) {
                return true;
            }
        }
        return false;
    }
}
