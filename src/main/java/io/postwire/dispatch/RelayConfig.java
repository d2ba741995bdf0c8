package io.postwire.dispatch;

import io.smallrye.config.ConfigMapping;

/**
 * The smarthost every message goes through when {@code postwire.relay.host} is set (e.g.
 * {@code smtp-mail.outlook.com:587}, STARTTLS, AUTH); unset, mail goes direct to MX. The keys are
 * those of {@link SmarthostConfig} (env {@code POSTWIRE_RELAY_HOST}, {@code POSTWIRE_RELAY_PORT}, ...).
 */
@ConfigMapping(prefix = "postwire.relay")
public interface RelayConfig extends SmarthostConfig {
}
