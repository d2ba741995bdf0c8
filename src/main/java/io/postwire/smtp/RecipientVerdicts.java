package io.postwire.smtp;

import java.util.ArrayList;
import java.util.List;

/**
 * Decides the result of each recipient from how the commands of one transaction ended. A pure
 * function, so the rules live in one place for both pipelined and lock-step dialogues:
 *
 * <ul>
 *   <li>MAIL refused or lost: every recipient gets that reply or failure;
 *   <li>RCPT refused: that recipient gets its RCPT reply, whatever happens later;
 *   <li>RCPT accepted: the recipient gets the DATA command reply if it was not 354, otherwise the
 *       final reply after the dot (RFC 5321 §4.1.1.4: one verdict for all accepted recipients);
 *   <li>a step that never ran or never got a reply yields a network failure.
 * </ul>
 */
final class RecipientVerdicts {

    private RecipientVerdicts() {
    }

    /**
     * @param rcpts    one step per recipient; null entries were never sent
     * @param data     the DATA command step, null if not sent
     * @param fin      the step for the final dot, null if the message was not sent
     * @param fallback failure reason for recipients whose steps never ran
     */
    static List<RecipientResult> assemble(List<String> recipients, Step mail, Step[] rcpts, Step data,
            Step fin, String fallback) {
        List<RecipientResult> out = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            String rcpt = recipients.get(i);
            Step decisive = decisiveStep(mail, rcpts[i], data, fin);
            if (decisive == null) {
                out.add(RecipientResult.failed(rcpt, fallback));
            } else if (decisive.failure() != null) {
                out.add(RecipientResult.failed(rcpt, decisive.failure()));
            } else {
                out.add(RecipientResult.replied(rcpt, decisive.reply()));
            }
        }
        return out;
    }

    /** The first step that did not succeed, or the final step; null when that step never ran. */
    private static Step decisiveStep(Step mail, Step rcpt, Step data, Step fin) {
        if (mail == null || !mail.positive()) {
            return mail;
        }
        if (rcpt == null || !rcpt.positive()) {
            return rcpt;
        }
        if (data == null || !data.hasCode(354)) {
            return data;
        }
        return fin;
    }

    /** True when the server accepted MAIL and at least one RCPT, so a message may follow. */
    static boolean anyAccepted(Step mail, Step[] rcpts) {
        if (mail == null || !mail.positive()) {
            return false;
        }
        for (Step s : rcpts) {
            if (s != null && s.positive()) {
                return true;
            }
        }
        return false;
    }
}
