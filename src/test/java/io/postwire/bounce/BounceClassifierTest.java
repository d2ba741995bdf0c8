package io.postwire.bounce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.postwire.event.BounceClass;
import io.postwire.event.SmtpReply;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real-world reply texts (published provider replies) and the class each must get. */
class BounceClassifierTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "550|5.1.1 <x@outlook.com>: Recipient address rejected: Access denied|INVALID_RECIPIENT",
        "550|5.5.0 Requested action not taken: mailbox unavailable|INVALID_RECIPIENT",
        "550|5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Our block list (S3140)|SENDER_REPUTATION_BLOCK",
        "554|5.7.1 Service unavailable; Client host [192.0.2.1] blocked using Spamhaus|SENDER_REPUTATION_BLOCK",
        "552|5.2.2 The email account that you tried to reach is over quota|MAILBOX_FULL",
        "552|5.3.4 Message size exceeds fixed maximum message size|MESSAGE_TOO_LARGE",
        "550|5.7.515 Access denied, sending domain does not meet the required authentication level|POLICY",
        "550|5.7.1 Message rejected as spam by Content Filtering|SPAM_BLOCK",
        "550|5.1.2 Host unknown|BAD_DOMAIN",
        "550|No such user here|INVALID_RECIPIENT",
        "554|Transaction failed|OTHER",
        "451|4.7.650 The mail server has been temporarily rate limited due to IP reputation|TRANSIENT"})
    void classifies(int code, String text, BounceClass expected) {
        assertEquals(expected, BounceClassifier.classify(SmtpReply.parse(code, text)));
    }

    @ParameterizedTest
    @CsvSource({"INVALID_RECIPIENT, true", "BAD_DOMAIN, true", "SENDER_REPUTATION_BLOCK, false", "POLICY, false",
        "MAILBOX_FULL, false"})
    void onlyAddressFailuresSuppress(BounceClass c, boolean suppresses) {
        assertEquals(suppresses, c.suppressesRecipient());
    }
}
