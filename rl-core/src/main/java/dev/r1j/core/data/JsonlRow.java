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

    /** {@code file:line}, the prefix of every error about this row. */
    public String where() {
        return file + ":" + line;
    }
}
