/**
 * SMTP MTA Strict Transport Security (RFC 8461): discovers a recipient domain's policy (TXT
 * {@code _mta-sts} record, then the policy file over authenticated HTTPS), caches it, and tells the
 * dispatcher which MX hosts it may use and whether they must present a valid certificate
 * ({@link io.postwire.mtasts.MtaStsResolver}, {@link io.postwire.mtasts.TlsPolicy}); failures are
 * named after TLS-RPT (RFC 8460) result types ({@link io.postwire.mtasts.TlsReport}).
 */
package io.postwire.mtasts;
