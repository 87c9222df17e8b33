package dev.r1j.core.data;

import java.nio.file.Path;
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

    /** {@code file:line}, the prefix of every error about this row. */
    public String where() {
        return file + ":" + line;
    }
}
