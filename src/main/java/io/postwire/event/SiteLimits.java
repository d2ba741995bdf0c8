package io.postwire.event;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The delivery limits of one site for one sending pool, as configured or as currently in force.
 * A value in site events (so operators see the numbers that made mail wait) and in the shaping
 * configuration.
 *
 * @param maxConnections concurrent SMTP connections, at least 1
 * @param connectionRate how fast new connections may be opened (paced evenly, not in bursts)
 * @param messagesPerConnection transactions on one connection before it is closed, at least 1
 * @param messageRate how fast messages may start (paced evenly, not in bursts)
 * @param dailyCap messages per UTC day; 0 means no cap
 */
public record SiteLimits(int maxConnections, Rate connectionRate, int messagesPerConnection, Rate messageRate,
        long dailyCap) {

    public SiteLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be >= 1, was " + maxConnections);
        }
        Require.present("connectionRate", connectionRate);
        if (messagesPerConnection < 1) {
            throw new IllegalArgumentException("messagesPerConnection must be >= 1, was " + messagesPerConnection);
        }
        Require.present("messageRate", messageRate);
        if (dailyCap < 0) {
            throw new IllegalArgumentException("dailyCap must be >= 0 (0 = no cap), was " + dailyCap);
        }
    }

    /**
     * A count per unit of time, written the way operators configure it: {@code 10/s},
     * {@code 600/min}, {@code 1000/h}, {@code 50000/d}. The count may be fractional once a
     * throttle has cut it ({@code 0.5/s}). Serialised as that string in events.
     */
    public record Rate(double count, Unit unit) {

        private static final Pattern FORM = Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*/\\s*([a-z]+)\\s*");

        /** The units a rate may be written in. */
        public enum Unit {
            S("s", 1), MIN("min", 60), H("h", 3600), D("d", 86_400);

            private final String symbol;
            private final long seconds;

            Unit(String symbol, long seconds) {
                this.symbol = symbol;
                this.seconds = seconds;
            }

            public long seconds() {
                return seconds;
            }

            static Unit of(String symbol) {
                for (Unit u : values()) {
                    if (u.symbol.equals(symbol)) {
                        return u;
                    }
                }
                throw new IllegalArgumentException("rate unit must be s, min, h or d, was '" + symbol + "'");
            }
        }

        public Rate {
            if (!(count > 0) || Double.isInfinite(count)) {
                throw new IllegalArgumentException("rate count must be positive, was " + count);
            }
            Require.present("unit", unit);
        }

        @JsonCreator
        public static Rate parse(String text) {
            Matcher m = FORM.matcher(text == null ? "" : text.toLowerCase(Locale.ROOT));
            if (!m.matches()) {
                throw new IllegalArgumentException("rate must look like 10/s, 600/min, 1000/h or 50000/d, was '"
                        + text + "'");
            }
            return new Rate(Double.parseDouble(m.group(1)), Unit.of(m.group(2)));
        }

        public double perSecond() {
            return count / unit.seconds;
        }

        /** The same rate times {@code factor}, in the same unit so that it reads like the configured one. */
        public Rate times(double factor) {
            return new Rate(count * factor, unit);
        }

        /** At most three decimals, no trailing zeros: {@code 600/min}, {@code 0.5/s}. */
        @JsonValue
        @Override
        public String toString() {
            BigDecimal n = BigDecimal.valueOf(count).setScale(3, java.math.RoundingMode.HALF_UP).stripTrailingZeros();
            return n.toPlainString() + "/" + unit.symbol;
        }
    }
}
