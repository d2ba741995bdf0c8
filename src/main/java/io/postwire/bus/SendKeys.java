package io.postwire.bus;

import io.postwire.event.PostwireEvent;

/**
 * Chooses record keys. Send and retry records are keyed by destination site so that one
 * consumer owns a site and its limits hold across replicas; facts are keyed by recipient so a
 * recipient's story stays in order on one partition.
 *
 * <p>Until MX rollup exists the site is the recipient domain. It is the seam where direct-to-MX
 * routing will put the provider (e.g. every Outlook.com domain on one site).
 */
public final class SendKeys {

    private SendKeys() {
    }

    public static String siteKey(PostwireEvent event) {
        return event.recipientDomain();
    }

    public static String factKey(PostwireEvent event) {
        return event.recipient().toLowerCase(java.util.Locale.ROOT);
    }
}
