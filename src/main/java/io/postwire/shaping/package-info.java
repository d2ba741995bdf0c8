/**
 * Traffic shaping per destination site and sending pool: how many connections, how fast, how
 * many messages a day, and adaptive backoff when a site's replies say "slow down" or "go away".
 * {@link io.postwire.shaping.SiteShaper} is the entry point; every change it makes is a
 * {@link io.postwire.event.SiteEvent} so operators can see why mail is waiting.
 */
package io.postwire.shaping;
