package io.postwire.ingest;

import java.util.List;

/** The 202 body: the ids a client needs to follow each recipient's story. */
public record SubmissionReceipt(String messageId, List<RecipientReceipt> recipients) {

    /** One envelope recipient and the id of its send. */
    public record RecipientReceipt(String recipientId, String address) {
    }
}
