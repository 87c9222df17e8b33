package dev.r1j.options;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the text of a {@link Default}: the small subset of YAML flow syntax that defaults use (plain and quoted
 * scalars, {@code [a, b]}, {@code {k: v}}), into plain Java values: {@code Long}, {@code Double}, {@code Boolean},
 * {@code String}, {@code null}, {@code List} and {@code Map}. The recipe binder parses the same text with the full
 * YAML parser; a test binds every config record both ways and requires the same values.
 *
 * <pre>{@code
 * DefaultLiteral.parse("{low: 0.2, high: 0.28}")   // {low=0.2, high=0.28}
 * }</pre>
 */
public final class DefaultLiteral {
    private final String text;
    private int pos;

    private DefaultLiteral(String text) {
        this.text = text;
    }

    /** The value of {@code text}; a malformed literal is a programming error in an annotation. */
    public static Object parse(String text) {
        DefaultLiteral p = new DefaultLiteral(text);
        Object v = p.value();
        p.skipBlanks();
        if (p.pos != text.length()) {
            throw p.error("unexpected '" + text.charAt(p.pos) + "'");
        }
        return v;
    }

    private Object value() {
        skipBlanks();
        if (pos >= text.length()) {
            return null;
        }
        char c = text.charAt(pos);
        if (c == '[') {
            return list();
        }
        if (c == '{') {
            return map();
        }
        if (c == '"' || c == '\'') {
            return quoted(c);
        }
        return scalar(plain());
    }

    private List<Object> list() {
        pos++;
        List<Object> out = new ArrayList<>();
        skipBlanks();
        if (peek() == ']') {
            pos++;
            return Collections.unmodifiableList(out);
        }
        while (true) {
            out.add(value());
            skipBlanks();
            char c = next();
            if (c == ']') {
                return Collections.unmodifiableList(out);
            }
            if (c != ',') {
                throw error("expected ',' or ']'");
            }
        }
    }

    private Map<String, Object> map() {
        pos++;
        Map<String, Object> out = new LinkedHashMap<>();
        skipBlanks();
        if (peek() == '}') {
            pos++;
            return Collections.unmodifiableMap(out);
        }
        while (true) {
            skipBlanks();
            String key = peek() == '"' || peek() == '\'' ? quoted(peek()) : plain();
            skipBlanks();
            if (next() != ':') {
                throw error("expected ':' after key '" + key + "'");
            }
            out.put(key, value());
            skipBlanks();
            char c = next();
            if (c == '}') {
                return Collections.unmodifiableMap(out);
            }
            if (c != ',') {
                throw error("expected ',' or '}'");
            }
        }
    }

    private String quoted(char quote) {
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < text.length() && text.charAt(pos) != quote) {
            sb.append(text.charAt(pos++));
        }
        if (pos >= text.length()) {
            throw error("unterminated string");
        }
        pos++;
        return sb.toString();
    }

    /** A plain scalar ends at a flow indicator; a colon ends it only when a blank follows (YAML's rule). */
    private String plain() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ',' || c == ']' || c == '}') {
                break;
            }
            if (c == ':' && (pos + 1 >= text.length() || text.charAt(pos + 1) == ' ')) {
                break;
            }
            pos++;
        }
        return text.substring(start, pos).trim();
    }

    private static Object scalar(String s) {
        switch (s) {
            case "null": case "~": case "": return null;
            case "true": return Boolean.TRUE;
            case "false": return Boolean.FALSE;
            default: break;
        }
        if (s.matches("[-+]?[0-9]+")) {
            return Long.parseLong(s);
        }
        if (s.matches("[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
            return Double.parseDouble(s);
        }
        return s;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private char next() {
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        return text.charAt(pos++);
    }

    private void skipBlanks() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalStateException error(String what) {
        return new IllegalStateException("bad default literal \"" + text + "\" at " + pos + ": " + what);
    }
}
