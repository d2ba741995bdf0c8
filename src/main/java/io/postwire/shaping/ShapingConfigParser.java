package io.postwire.shaping;

import io.postwire.event.SiteLimits;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Builds a {@link ShapingConfig} from flat properties, the form SmallRye config hands over
 * ({@code postwire.shaping.sites.outlook.max-connections=8}). Keys outside
 * {@code postwire.shaping.} are ignored; unknown keys inside it are errors, because a misspelt
 * limit that silently does nothing is worse than a refusal to start. Every problem is reported at
 * once. The shipped presets ({@link ShippedShaping}) are applied first and overridden key by key;
 * {@code docs/shaping.md} lists every key.
 */
public final class ShapingConfigParser {

    public static final String PREFIX = "postwire.shaping.";

    private static final Set<String> LIMIT_FIELDS =
            Set.of("max-connections", "connection-rate", "messages-per-connection", "message-rate", "daily-cap");
    private static final Set<String> RULE_FIELDS = Set.of("order", "site", "code", "enhanced-code", "text", "unless",
            "action", "factor", "scope", "duration", "enabled");
    private static final Pattern SHORT_DURATION = Pattern.compile("([0-9]+)(ms|s|m|h|d)");

    private final Map<String, String> props;
    private final List<String> problems = new ArrayList<>();

    private ShapingConfigParser(Map<String, String> props) {
        this.props = props;
    }

    /** @throws IllegalArgumentException listing every bad key, one per line */
    public static ShapingConfig parse(Map<String, String> properties) {
        Map<String, String> user = new TreeMap<>();
        properties.forEach((k, v) -> {
            if (k.startsWith(PREFIX)) {
                user.put(k.substring(PREFIX.length()), v == null ? "" : v.strip());
            }
        });
        Map<String, String> merged = new TreeMap<>();
        if (!"false".equalsIgnoreCase(user.getOrDefault("presets", "true"))) {
            merged.putAll(shipped());
        }
        merged.putAll(user);
        return new ShapingConfigParser(merged).build();
    }

    static Map<String, String> shipped() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : ShippedShaping.PROPERTIES.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                int eq = l.indexOf('=');
                m.put(l.substring(0, eq), l.substring(eq + 1));
            }
        }
        return m;
    }

    private ShapingConfig build() {
        Map<String, Map<String, String>> sites = new TreeMap<>();
        Map<String, Map<String, String>> rules = new TreeMap<>();
        Map<String, String> defaults = new HashMap<>();
        // pool → ("" for the pool's defaults, else a site) → field → value
        Map<String, Map<String, Map<String, String>>> pools = new TreeMap<>();
        for (Map.Entry<String, String> e : props.entrySet()) {
            String key = e.getKey();
            if (key.startsWith("pools.")) {
                poolField(key, pools, e.getValue());
            } else if (key.startsWith("defaults.")) {
                field(key, key.substring("defaults.".length()), LIMIT_FIELDS, defaults, e.getValue());
            } else if (key.startsWith("sites.")) {
                group(key, "sites.", LIMIT_FIELDS, sites, e.getValue());
            } else if (key.startsWith("rules.")) {
                group(key, "rules.", RULE_FIELDS, rules, e.getValue());
            } else if (!Set.of("presets", "ramp-interval", "ramp-step", "min-factor", "throttle-cooldown",
                    "idle-eviction", "max-sites").contains(key)) {
                problems.add(PREFIX + key + ": unknown key");
            }
        }
        SiteLimits defaultLimits = limits("defaults", defaults, null);
        Map<String, SiteLimits> siteLimits = new HashMap<>();
        sites.forEach((site, fields) -> {
            SiteLimits l = limits("sites." + site, fields, defaultLimits);
            if (l != null) {
                siteLimits.put(site.toLowerCase(Locale.ROOT), l);
            }
        });
        Map<String, ShapingConfig.PoolOverrides> poolOverrides = new HashMap<>();
        pools.forEach((pool, bySite) -> {
            Map<String, LimitOverrides> perSite = new HashMap<>();
            LimitOverrides[] poolDefaults = {LimitOverrides.NONE};
            bySite.forEach((site, fields) -> {
                LimitOverrides o = overrides("pools." + pool + (site.isEmpty() ? ".defaults" : ".sites." + site),
                        fields);
                if (site.isEmpty()) {
                    poolDefaults[0] = o;
                } else {
                    perSite.put(site.toLowerCase(Locale.ROOT), o);
                }
            });
            poolOverrides.put(pool.toLowerCase(Locale.ROOT), new ShapingConfig.PoolOverrides(poolDefaults[0], perSite));
        });
        List<BackoffRule> ruleList = new ArrayList<>();
        rules.forEach((name, fields) -> {
            if (!"false".equalsIgnoreCase(fields.getOrDefault("enabled", "true"))) {
                BackoffRule r = rule(name, fields);
                if (r != null) {
                    ruleList.add(r);
                }
            }
        });
        Duration rampInterval = value("ramp-interval", "5m", ShapingConfigParser::duration);
        Double rampStep = value("ramp-step", "0.1", ShapingConfigParser::decimal);
        Double minFactor = value("min-factor", "0.05", ShapingConfigParser::decimal);
        Duration cooldown = value("throttle-cooldown", "1m", ShapingConfigParser::duration);
        Duration idle = value("idle-eviction", "1h", ShapingConfigParser::duration);
        Integer maxSites = value("max-sites", "50000", ShapingConfigParser::integer);
        if (problems.isEmpty()) {
            try {
                ShapingConfig c = new ShapingConfig(defaultLimits, siteLimits, poolOverrides, new BackoffRules(ruleList),
                        rampInterval, rampStep, minFactor, cooldown, idle, maxSites);
                // Every pool's overrides must make valid limits for every site it names and the defaults.
                poolOverrides.forEach((pool, o) -> {
                    c.limitsFor(new SiteKey(pool, "any.invalid"));
                    o.sites().keySet().forEach(site -> c.limitsFor(new SiteKey(pool, site)));
                });
                return c;
            } catch (IllegalArgumentException e) {
                problems.add(PREFIX + e.getMessage());
            }
        }
        throw new IllegalArgumentException("invalid shaping configuration:\n  - " + String.join("\n  - ", problems));
    }

    /**
     * {@code pools.<pool>.defaults.<field>} or {@code pools.<pool>.sites.<site>.<field>}; the pool
     * name is one segment (no dots), the site name may have dots.
     */
    private void poolField(String key, Map<String, Map<String, Map<String, String>>> pools, String value) {
        String rest = key.substring("pools.".length());
        int dot = rest.indexOf('.');
        String pool = dot > 0 ? rest.substring(0, dot).replace("\"", "") : "";
        String tail = dot > 0 ? rest.substring(dot + 1) : "";
        Map<String, Map<String, String>> bySite = pools.computeIfAbsent(pool, p -> new TreeMap<>());
        if (!pool.isEmpty() && tail.startsWith("defaults.")) {
            field(key, tail.substring("defaults.".length()), LIMIT_FIELDS, bySite.computeIfAbsent("", s -> new HashMap<>()),
                    value);
        } else if (!pool.isEmpty() && tail.startsWith("sites.")) {
            group(key, "pools." + pool + ".sites.", LIMIT_FIELDS, bySite, value);
        } else {
            problems.add(PREFIX + key + ": expected pools.<pool>.defaults.<field> or pools.<pool>.sites.<site>.<field>");
        }
    }

    /** The fields given, parsed; the others stay null (the site's own value). */
    private LimitOverrides overrides(String where, Map<String, String> f) {
        return new LimitOverrides(
                get(where, f, "max-connections", ShapingConfigParser::integer, null),
                get(where, f, "connection-rate", SiteLimits.Rate::parse, null),
                get(where, f, "messages-per-connection", ShapingConfigParser::integer, null),
                get(where, f, "message-rate", SiteLimits.Rate::parse, null),
                get(where, f, "daily-cap", ShapingConfigParser::whole, null));
    }

    /** {@code sites.example.co.uk.max-connections}: the field is the last segment, the name all before it. */
    private void group(String key, String prefix, Set<String> fields, Map<String, Map<String, String>> into,
            String value) {
        String rest = key.substring(prefix.length());
        int dot = rest.lastIndexOf('.');
        if (dot <= 0) {
            problems.add(PREFIX + key + ": expected " + prefix + "<name>.<field>");
            return;
        }
        String name = rest.substring(0, dot).replace("\"", "");
        field(key, rest.substring(dot + 1), fields, into.computeIfAbsent(name, n -> new HashMap<>()), value);
    }

    private void field(String key, String field, Set<String> allowed, Map<String, String> into, String value) {
        if (!allowed.contains(field)) {
            problems.add(PREFIX + key + ": unknown field '" + field + "', expected one of "
                    + String.join(", ", new TreeSet<>(allowed)));
            return;
        }
        into.put(field, value);
    }

    private SiteLimits limits(String where, Map<String, String> f, SiteLimits fallback) {
        int before = problems.size();
        Integer maxConnections = get(where, f, "max-connections", ShapingConfigParser::integer,
                fallback == null ? null : fallback.maxConnections());
        SiteLimits.Rate connectionRate = get(where, f, "connection-rate", SiteLimits.Rate::parse,
                fallback == null ? null : fallback.connectionRate());
        Integer perConnection = get(where, f, "messages-per-connection", ShapingConfigParser::integer,
                fallback == null ? null : fallback.messagesPerConnection());
        SiteLimits.Rate messageRate = get(where, f, "message-rate", SiteLimits.Rate::parse,
                fallback == null ? null : fallback.messageRate());
        Long dailyCap = get(where, f, "daily-cap", ShapingConfigParser::whole,
                fallback == null ? 0L : fallback.dailyCap());
        if (problems.size() > before) {
            return null;
        }
        try {
            return new SiteLimits(maxConnections, connectionRate, perConnection, messageRate, dailyCap);
        } catch (IllegalArgumentException e) {
            problems.add(PREFIX + where + ": " + e.getMessage());
            return null;
        }
    }

    private BackoffRule rule(String name, Map<String, String> f) {
        String where = "rules." + name;
        int before = problems.size();
        Integer order = get(where, f, "order", ShapingConfigParser::integer, 1000);
        Pattern text = get(where, f, "text", ShapingConfigParser::regex, null);
        Pattern unless = get(where, f, "unless", ShapingConfigParser::regex, null);
        String action = f.get("action");
        BackoffAction a = null;
        if ("throttle".equals(action)) {
            Double factor = get(where, f, "factor", ShapingConfigParser::decimal, 0.5);
            ThrottleScope scope = get(where, f, "scope", s -> ThrottleScope.valueOf(s.toUpperCase(Locale.ROOT)),
                    ThrottleScope.RATE);
            if (problems.size() == before) {
                a = build(where, () -> new BackoffAction.Throttle(factor, scope));
            }
        } else if ("suspend".equals(action)) {
            Duration d = get(where, f, "duration", ShapingConfigParser::duration, Duration.ofHours(1));
            if (problems.size() == before) {
                a = build(where, () -> new BackoffAction.Suspend(d));
            }
        } else {
            problems.add(PREFIX + where + ".action: expected throttle or suspend, was '" + action + "'");
        }
        if (a == null) {
            return null;
        }
        BackoffAction action1 = a;
        String site = f.get("site") == null ? null : f.get("site").toLowerCase(Locale.ROOT);
        return build(where, () -> new BackoffRule(name, order, site, f.get("code"), f.get("enhanced-code"), text,
                unless, action1));
    }

    private <T> T build(String where, Supplier<T> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException e) {
            problems.add(PREFIX + where + ": " + e.getMessage());
            return null;
        }
    }

    private <T> T get(String where, Map<String, String> f, String field, Function<String, T> parse, T fallback) {
        String raw = f.get(field);
        if (raw == null) {
            if (fallback == null && where.equals("defaults")) {
                problems.add(PREFIX + where + "." + field + ": required (the presets are off)");
            }
            return fallback;
        }
        try {
            return parse.apply(raw);
        } catch (RuntimeException e) {
            problems.add(PREFIX + where + "." + field + ": cannot use '" + raw + "': " + e.getMessage());
            return fallback;
        }
    }

    private <T> T value(String key, String fallback, Function<String, T> parse) {
        String raw = props.getOrDefault(key, fallback);
        try {
            return parse.apply(raw);
        } catch (RuntimeException e) {
            problems.add(PREFIX + key + ": cannot use '" + raw + "': " + e.getMessage());
            return parse.apply(fallback);
        }
    }

    /** {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 1d}, or ISO-8601 ({@code PT1H}). */
    static Duration duration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration such as 90s, 5m, 1h or PT1H");
        }
    }

    private static Integer integer(String text) {
        return Math.toIntExact(whole(text));
    }

    private static Long whole(String text) {
        try {
            return Long.valueOf(text.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number");
        }
    }

    private static Double decimal(String text) {
        try {
            return Double.valueOf(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a decimal number such as 0.5");
        }
    }

    private static Pattern regex(String text) {
        try {
            return Pattern.compile(text, Pattern.CASE_INSENSITIVE);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("not a regular expression: " + e.getDescription());
        }
    }
}
