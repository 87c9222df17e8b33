package dev.r1j.verifiers;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to a provider's options map (as parsed from a recipe's YAML/JSON). Unknown keys
 * are rejected up front so that a typo in a recipe fails loudly instead of silently using a default.
 *
 * <pre>{@code
 * VerifierOptions o = VerifierOptions.of("format", options, "mode", "pattern", "reward");
 * String mode = o.string("mode", "think_answer");
 * double reward = o.number("reward", 1.0);
 * }</pre>
 */
public final class VerifierOptions {
    private final String verifier;
    private final Map<String, Object> values;

    private VerifierOptions(String verifier, Map<String, Object> values) {
        this.verifier = verifier;
        this.values = values;
    }

    /**
     * Wraps {@code options} for verifier {@code verifier}, allowing only {@code allowedKeys}.
     *
     * @throws IllegalArgumentException naming the first unknown key and listing the allowed ones
     */
    public static VerifierOptions of(String verifier, Map<String, Object> options, String... allowedKeys) {
        Map<String, Object> vals = options == null ? Map.of() : options;
        Set<String> allowed = new TreeSet<>(List.of(allowedKeys));
        for (String key : new TreeSet<>(vals.keySet())) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException("verifier '" + verifier + "': unknown option '" + key
                        + "'; allowed options: " + (allowed.isEmpty() ? "(none)" : String.join(", ", allowed)));
            }
        }
        return new VerifierOptions(verifier, vals);
    }

    /** Wraps {@code options} for {@code provider}, allowing exactly the keys of its {@link VerifierProvider#options()}. */
    public static VerifierOptions of(VerifierProvider provider, Map<String, Object> options) {
        return of(provider.name(), options, provider.options().stream().map(VerifierOption::key).toArray(String[]::new));
    }

    public boolean has(String key) {
        return values.get(key) != null;
    }

    /** A string option; numbers and booleans are accepted and converted with {@code toString}. */
    public String string(String key, String defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        throw bad(key, v, "a string");
    }

    /** A string option restricted to {@code choices}. */
    public String choice(String key, String defaultValue, String... choices) {
        String s = string(key, defaultValue);
        for (String c : choices) {
            if (c.equals(s)) {
                return s;
            }
        }
        throw new IllegalArgumentException("verifier '" + verifier + "': option '" + key + "' is '" + s
                + "', expected one of " + String.join(", ", choices));
    }

    /** A finite number (a JSON number, or a string that parses as one). */
    public double number(String key, double defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        double d;
        if (v instanceof Number n) {
            d = n.doubleValue();
        } else if (v instanceof String s) {
            try {
                d = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw bad(key, v, "a number");
            }
        } else {
            throw bad(key, v, "a number");
        }
        if (!Double.isFinite(d)) {
            throw bad(key, v, "a finite number");
        }
        return d;
    }

    /** A number within {@code [min, max]}. */
    public double number(String key, double defaultValue, double min, double max) {
        double d = number(key, defaultValue);
        if (d < min || d > max) {
            throw bad(key, values.get(key), "a number in [" + min + ", " + max + "]");
        }
        return d;
    }

    /** A whole number (a JSON integer, an integral double, or a string that parses as one). */
    public long integer(String key, long defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && Math.abs(d) < 9.0e15) {
                return (long) d;
            }
            throw bad(key, v, "a whole number");
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                throw bad(key, v, "a whole number");
            }
        }
        throw bad(key, v, "a whole number");
    }

    /** A whole number within {@code [min, max]}. */
    public long integer(String key, long defaultValue, long min, long max) {
        long n = integer(key, defaultValue);
        if (n < min || n > max) {
            throw bad(key, values.get(key), "a whole number in [" + min + ", " + max + "]");
        }
        return n;
    }

    /** A boolean ({@code true}/{@code false}, also as strings). */
    public boolean bool(String key, boolean defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            if (s.equalsIgnoreCase("true")) {
                return true;
            }
            if (s.equalsIgnoreCase("false")) {
                return false;
            }
        }
        throw bad(key, v, "true or false");
    }

    /** A list of strings; a single string is a one-element list. */
    public List<String> strings(String key, List<String> defaultValue) {
        Object v = values.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw bad(key, v, "a list of strings");
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw bad(key, v, "a list of strings");
    }

    /** The raw value, for structured options (nested maps or lists) a provider validates itself. */
    public Object raw(String key) {
        return values.get(key);
    }

    /** An {@link IllegalArgumentException} for option {@code key}, in the same style as the built-in checks. */
    public IllegalArgumentException bad(String key, Object value, String expected) {
        return new IllegalArgumentException("verifier '" + verifier + "': option '" + key + "' is "
                + describe(value) + ", expected " + expected);
    }

    private static String describe(Object v) {
        if (v instanceof String s) {
            return "\"" + s + "\"";
        }
        return v + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")");
    }
}
