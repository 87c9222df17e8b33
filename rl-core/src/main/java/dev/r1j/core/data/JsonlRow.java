package dev.r1j.core.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One object line of a JSONL file, with where it came from (for error messages).
 *
 * @param file   the file it was read from
 * @param line   1-based line number
 * @param fields the object's fields, in file order (values as Jackson maps them: String, Number, Boolean, List, Map)
 */
public record JsonlRow(Path file, int line, Map<String, Object> fields) {
    public JsonlRow {
        fields = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }

    /**
     * The string value of {@code field}.
     *
     * @throws IllegalArgumentException naming {@code file:line} and the field when it is missing or not a string
     */
    public String requireString(String field) {
        Object v = fields.get(field);
        if (v == null) {
            throw new IllegalArgumentException(where() + ": missing field '" + field + "' (expected a string; fields "
                    + "present: " + fields.keySet() + ")");
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException(where() + ": field '" + field + "' must be a string, got "
                    + v.getClass().getSimpleName());
        }
        return s;
    }

    /**
     * The chat messages in {@code field}: a non-empty array of objects with string {@code role} and {@code content}.
     *
     * @throws IllegalArgumentException naming {@code file:line}, the field and the bad entry
     */
    public List<Map<String, String>> requireMessages(String field) {
        Object v = fields.get(field);
        if (!(v instanceof List<?> list) || list.isEmpty()) {
            throw new IllegalArgumentException(where() + ": field '" + field
                    + "' must be a non-empty array of {role, content} objects, got " + describe(v));
        }
        List<Map<String, String>> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object m = list.get(i);
            if (!(m instanceof Map<?, ?> map) || !(map.get("role") instanceof String role)
                    || !(map.get("content") instanceof String content)) {
                throw new IllegalArgumentException(where() + ": " + field + "[" + i
                        + "] must be an object with string 'role' and 'content', got " + describe(m));
            }
            out.add(Map.of("role", role, "content", content));
        }
        return out;
    }

    /** A JSON value's type and (shortened) text, for error messages. */
    static String describe(Object v) {
        if (v == null) return "null";
        String type = v instanceof Map ? "object" : v instanceof List ? "array" : v.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        String text = String.valueOf(v);
        return type + " " + (text.length() > 40 ? text.substring(0, 40) + "…" : text);
    }

    /** {@code file:line}, the prefix of every error about this row. */
    public String where() {
        return file + ":" + line;
    }
}
