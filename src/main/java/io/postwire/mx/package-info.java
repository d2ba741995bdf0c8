/**
 * Finds where mail for a domain goes: non-blocking MX resolution with a TTL-respecting cache
 * ({@link io.postwire.mx.MxResolver}), and the rollup of recipient domains into delivery sites by
 * their MX hosts ({@link io.postwire.mx.SiteNamer}).
 */
package io.postwire.mx;
