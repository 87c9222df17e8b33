package dev.r1j.recipes.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Paths into a recipe tree, written as in {@code --set}: keys joined by dots, list indices in brackets,
 * e.g. {@code stages[0].grpo.clip.high}. The root is the empty path.
 *
 * <pre>{@code
 * ConfigPath.parse("stages[0].grpo.steps");   // [key stages, index 0, key grpo, key steps]
 * ConfigPath.child("stages[0]", "grpo");      // "stages[0].grpo"
 * }</pre>
 */
public final class ConfigPath {
    private ConfigPath() {}

    /** One step of a path: a key ({@code index < 0}) or a list index. */
    public record Segment(String key, int index) {
        public boolean isIndex() {
            return index >= 0;
        }

        @Override
        public String toString() {
            return isIndex() ? "[" + index + "]" : key;
        }
    }

    public static String child(String parent, String key) {
        return parent.isEmpty() ? key : parent + "." + key;
    }

    public static String index(String parent, int i) {
        return parent + "[" + i + "]";
    }

    /** The parent path, "" for a top-level key, {@code null} for the root. */
    public static String parent(String path) {
        if (path.isEmpty()) {
            return null;
        }
        int dot = path.lastIndexOf('.');
        int bracket = path.lastIndexOf('[');
        int cut = Math.max(dot, bracket);
        return cut < 0 ? "" : path.substring(0, cut);
    }

    /** True when {@code path} lies strictly below {@code ancestor}. */
    public static boolean isBelow(String path, String ancestor) {
        if (ancestor.isEmpty()) {
            return !path.isEmpty();
        }
        return path.length() > ancestor.length()
                && path.startsWith(ancestor)
                && (path.charAt(ancestor.length()) == '.' || path.charAt(ancestor.length()) == '[');
    }

    /** Parses a path; a malformed one is an {@link IllegalArgumentException} saying what is wrong. */
    public static List<Segment> parse(String path) {
        List<Segment> out = new ArrayList<>();
        int i = 0;
        int n = path.length();
        if (n == 0) {
            throw new IllegalArgumentException("empty key");
        }
        while (i < n) {
            char c = path.charAt(i);
            if (c == '[') {
                int close = path.indexOf(']', i);
                if (close < 0) {
                    throw new IllegalArgumentException("unclosed '[' in '" + path + "'");
                }
                String digits = path.substring(i + 1, close);
                if (!digits.matches("\\d+")) {
                    throw new IllegalArgumentException("list index must be a number, got '[" + digits + "]' in '" + path + "'");
                }
                out.add(new Segment(null, Integer.parseInt(digits)));
                i = close + 1;
                if (i < n && path.charAt(i) == '.') {
                    i++;
                    if (i == n) {
                        throw new IllegalArgumentException("'" + path + "' ends with '.'");
                    }
                }
            } else {
                int end = i;
                while (end < n && path.charAt(end) != '.' && path.charAt(end) != '[') {
                    end++;
                }
                if (end == i) {
                    throw new IllegalArgumentException("empty key in '" + path + "'");
                }
                out.add(new Segment(path.substring(i, end), -1));
                i = end;
                if (i < n && path.charAt(i) == '.') {
                    i++;
                    if (i == n) {
                        throw new IllegalArgumentException("'" + path + "' ends with '.'");
                    }
                }
            }
        }
        return out;
    }

    /** Writes segments back as a path string. */
    public static String format(List<Segment> segments) {
        String p = "";
        for (Segment s : segments) {
            p = s.isIndex() ? index(p, s.index()) : child(p, s.key());
        }
        return p;
    }
}
