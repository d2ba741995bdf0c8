package io.postwire.mx;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which MX host name suffixes belong to which provider's site. A host matches a suffix when it
 * is that name or ends with "." and that name, so {@code google.com} matches
 * {@code aspmx.l.google.com} but not {@code notgoogle.com}; the longest matching suffix wins.
 *
 * @param sites suffix (lower case, no leading dot) → site name
 */
public record SiteRules(Map<String, String> sites) {

    /** Microsoft 365 / Outlook.com, Gmail / Google Workspace, Yahoo / AOL. */
    private static final Map<String, String> PRESETS = presetMap();

    public SiteRules {
        Map<String, String> clean = new LinkedHashMap<>();
        sites.forEach((suffix, site) -> clean.put(suffix(suffix), site(site)));
        sites = Map.copyOf(clean);
    }

    /** The shipped rules: big providers whose many MX names should share one site. */
    public static SiteRules presets() {
        return new SiteRules(PRESETS);
    }

    public static SiteRules none() {
        return new SiteRules(Map.of());
    }

    /**
     * Rules from {@code suffix=site} pairs separated by commas, e.g.
     * {@code pphosted.com=proofpoint,mimecast.com=mimecast}; a leading {@code *.} is allowed.
     */
    public static SiteRules parse(String csv) {
        Map<String, String> sites = new LinkedHashMap<>();
        if (csv != null) {
            for (String item : csv.split(",")) {
                if (item.isBlank()) {
                    continue;
                }
                int eq = item.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("site rule '" + item.strip() + "' is not suffix=site");
                }
                sites.put(item.substring(0, eq), item.substring(eq + 1));
            }
        }
        return new SiteRules(sites);
    }

    /** These rules with {@code more} added; {@code more} wins where both name a suffix. */
    public SiteRules with(SiteRules more) {
        Map<String, String> merged = new LinkedHashMap<>(sites);
        merged.putAll(more.sites());
        return new SiteRules(merged);
    }

    /** The site of the longest suffix that {@code host} matches. */
    public Optional<String> siteOf(String host) {
        String name = DnsResponseReader.normalize(host);
        // Walk from the whole name to ever shorter suffixes: the first hit is the longest.
        int from = 0;
        while (true) {
            String site = sites.get(name.substring(from));
            if (site != null) {
                return Optional.of(site);
            }
            int dot = name.indexOf('.', from);
            if (dot < 0) {
                return Optional.empty();
            }
            from = dot + 1;
        }
    }

    private static String suffix(String suffix) {
        String name = Objects.requireNonNull(suffix, "suffix").strip().toLowerCase(Locale.ROOT);
        if (name.startsWith("*.")) {
            name = name.substring(2);
        }
        if (name.startsWith(".")) {
            name = name.substring(1);
        }
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (name.isEmpty() || name.contains("*") || name.contains("..")) {
            throw new IllegalArgumentException("bad site suffix '" + suffix + "'");
        }
        return name;
    }

    private static String site(String site) {
        String name = Objects.requireNonNull(site, "site").strip();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty site name");
        }
        return name;
    }

    private static Map<String, String> presetMap() {
        Map<String, String> presets = new LinkedHashMap<>();
        // Microsoft 365 tenants (*.mail.protection.outlook.com) and Outlook.com/Hotmail
        // consumer domains (hotmail-com.olc.protection.outlook.com) share Microsoft's limits.
        presets.put("mail.protection.outlook.com", "outlook");
        presets.put("olc.protection.outlook.com", "outlook");
        // Gmail and Google Workspace: aspmx.l.google.com, alt1.aspmx.l.google.com,
        // smtp.google.com, aspmx2.googlemail.com, gmail-smtp-in.l.google.com.
        presets.put("google.com", "gmail");
        presets.put("googlemail.com", "gmail");
        // Yahoo and AOL both: mta5.am0.yahoodns.net, mx-aol.mail.gm0.yahoodns.net.
        presets.put("yahoodns.net", "yahoo");
        return presets;
    }
}
