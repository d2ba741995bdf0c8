package io.postwire.shaping;

/**
 * The limits and backoff rules Postwire ships, written in the same property form operators use
 * (without the {@code postwire.shaping.} prefix), so that configuration overrides them key by key
 * and {@code docs/shaping.md} can show them verbatim. Set
 * {@code postwire.shaping.presets=false} to start from nothing but your own configuration.
 *
 * <p>The numbers are our own conservative starting points, not limits the providers publish:
 * Microsoft and Google publish none, Yahoo publishes only "at most 20 messages per connection"
 * (help.yahoo.com SLN3433). They suit a sending IP with no history at the provider; an IP with
 * a good reputation can usually go much higher, and should, through configuration. The adaptive
 * rules below slow Postwire down when a provider says so, whatever the starting point.
 *
 * <p>Regular expressions here avoid backslashes ({@code [(]} rather than {@code \(}) so that
 * they read the same in this file, in a properties file and in the docs.
 */
final class ShippedShaping {

    static final String PROPERTIES = """
            # Every site without its own entry.
            defaults.max-connections=10
            defaults.connection-rate=60/min
            defaults.messages-per-connection=100
            defaults.message-rate=3600/h
            defaults.daily-cap=0

            # Outlook.com / Hotmail / Live / Microsoft 365 (site "outlook").
            sites.outlook.max-connections=5
            sites.outlook.connection-rate=20/min
            sites.outlook.messages-per-connection=50
            sites.outlook.message-rate=1200/h

            # Gmail and Google Workspace (site "gmail").
            sites.gmail.max-connections=10
            sites.gmail.connection-rate=30/min
            sites.gmail.messages-per-connection=100
            sites.gmail.message-rate=3600/h

            # Yahoo, AOL and the other Yahoo-hosted brands (site "yahoo"). Yahoo closes a
            # connection after 20 messages without an error; new IPs see deferrals above about
            # 100/h, so the rate starts low.
            sites.yahoo.max-connections=5
            sites.yahoo.connection-rate=20/min
            sites.yahoo.messages-per-connection=20
            sites.yahoo.message-rate=300/h

            # Microsoft: our sending IP is on its block list (S3140, S3150). Retrying within the
            # hour only confirms the listing; delisting is a manual request.
            rules.outlook-blocklist.order=10
            rules.outlook-blocklist.code=5xx
            rules.outlook-blocklist.text=block ?list.*[(]S31[0-9]{2}[)]
            rules.outlook-blocklist.action=suspend
            rules.outlook-blocklist.duration=1h

            # Any receiver refusing our IP because of a Spamhaus IP listing (ZEN/SBL/XBL/PBL/CSS).
            # A DBL listing is about a domain in the content, not the IP, so it does not count.
            rules.spamhaus-ip-listed.order=20
            rules.spamhaus-ip-listed.code=5xx
            rules.spamhaus-ip-listed.text=spamhaus
            rules.spamhaus-ip-listed.unless=dbl[.]spamhaus|spamhaus dbl|domain block ?list
            rules.spamhaus-ip-listed.action=suspend
            rules.spamhaus-ip-listed.duration=1h

            # Yahoo: "[TS03] All messages from ... will be permanently deferred" (TS01-TS03).
            rules.yahoo-ts-block.order=30
            rules.yahoo-ts-block.code=4xx
            rules.yahoo-ts-block.text=TS0[1-3][^0-9]
            rules.yahoo-ts-block.action=suspend
            rules.yahoo-ts-block.duration=1h

            # Microsoft: "451 4.7.650 The mail server [ip] has been temporarily rate limited due
            # to IP reputation."
            rules.outlook-ip-reputation.order=40
            rules.outlook-ip-reputation.enhanced-code=4.7.650
            rules.outlook-ip-reputation.action=throttle
            rules.outlook-ip-reputation.factor=0.5
            rules.outlook-ip-reputation.scope=rate

            # Microsoft: "451 4.7.500 Server busy. Please try again later from [ip]."
            rules.outlook-server-busy.order=50
            rules.outlook-server-busy.enhanced-code=4.7.500
            rules.outlook-server-busy.text=server busy
            rules.outlook-server-busy.action=throttle
            rules.outlook-server-busy.factor=0.5
            rules.outlook-server-busy.scope=all

            # Anyone: "421 4.7.0 ... too many connections" (also "too many concurrent connections").
            rules.too-many-connections.order=60
            rules.too-many-connections.code=4xx
            rules.too-many-connections.text=too many (concurrent )?(smtp )?connections
            rules.too-many-connections.action=throttle
            rules.too-many-connections.factor=0.5
            rules.too-many-connections.scope=connections

            # Gmail: "421-4.7.28 ... unusual rate of unsolicited mail originating from your IP".
            rules.gmail-unsolicited-rate.order=70
            rules.gmail-unsolicited-rate.enhanced-code=4.7.28
            rules.gmail-unsolicited-rate.action=throttle
            rules.gmail-unsolicited-rate.factor=0.5
            rules.gmail-unsolicited-rate.scope=rate

            # Yahoo: "421 4.7.0 [TSS04] Messages from ip temporarily deferred due to unexpected
            # volume or user complaints". Cut hard: Yahoo's patience is short.
            rules.yahoo-tss04.order=80
            rules.yahoo-tss04.code=4xx
            rules.yahoo-tss04.text=TSS04
            rules.yahoo-tss04.action=throttle
            rules.yahoo-tss04.factor=0.25
            rules.yahoo-tss04.scope=all
            """;

    private ShippedShaping() {
    }
}
