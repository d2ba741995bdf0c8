package io.postwire.shaping;

import io.postwire.event.SmtpReply;
import java.util.regex.Pattern;

/**
 * One line of backoff policy: a pattern over SMTP replies and what to do when it matches. All
 * given criteria must match; at least one of {@code code}, {@code enhancedCode} and
 * {@code text} is required so that a rule can never match every reply.
 *
 * @param name identifies the rule in config and in site events
 * @param order rules are tried in ascending order; the first match wins
 * @param site only replies from this site match; null for any site
 * @param code {@code 451} for that code exactly, {@code 4xx}/{@code 5xx} for a class; null for any
 * @param enhancedCode RFC 3463 code such as {@code 4.7.650}, matched exactly; null for any
 * @param text searched (not anchored, case-insensitive) in the reply text; null for any
 * @param unless a reply whose text contains this never matches (e.g. a Spamhaus domain listing
 *     is about content, not about our IP); null for none
 */
public record BackoffRule(String name, int order, String site, String code, String enhancedCode, Pattern text,
        Pattern unless, BackoffAction action) {

    public BackoffRule {
        if (name == null || !name.matches("[a-z0-9][a-z0-9-]*")) {
            throw new IllegalArgumentException("rule name must be lower-case letters, digits and '-', was " + name);
        }
        if (code != null && !code.matches("[245](?:[0-9]{2}|xx)")) {
            throw new IllegalArgumentException("rule " + name + ": code must look like 451 or 4xx, was " + code);
        }
        if (enhancedCode != null && !enhancedCode.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            throw new IllegalArgumentException(
                    "rule " + name + ": enhanced-code must look like 4.7.650, was " + enhancedCode);
        }
        if (code == null && enhancedCode == null && text == null) {
            throw new IllegalArgumentException("rule " + name + ": needs at least one of code, enhanced-code, text");
        }
        if (action == null) {
            throw new IllegalArgumentException("rule " + name + ": action is required");
        }
    }

    public boolean matches(String replySite, SmtpReply reply) {
        if (reply == null || reply.isPositive()) {
            return false;
        }
        if (site != null && !site.equals(replySite)) {
            return false;
        }
        if (code != null && !codeMatches(reply.code())) {
            return false;
        }
        if (enhancedCode != null && !enhancedCode.equals(reply.enhancedCode())) {
            return false;
        }
        if (text != null && !text.matcher(reply.text()).find()) {
            return false;
        }
        return unless == null || !unless.matcher(reply.text()).find();
    }

    private boolean codeMatches(int replyCode) {
        String actual = Integer.toString(replyCode);
        return code.endsWith("xx") ? actual.charAt(0) == code.charAt(0) : actual.equals(code);
    }
}
