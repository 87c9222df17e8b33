package dev.r1j.env;

import java.util.Map;
import java.util.Objects;

/**
 * One parsed tool call: the tool's name and its arguments (JSON values: strings, numbers, booleans, lists, maps).
 *
 * <pre>{@code
 * ToolCall c = new ToolCall("python", Map.of("code", "print(6*7)"));
 * }</pre>
 */
public record ToolCall(String name, Map<String, Object> arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(arguments));
    }

    /** The argument {@code key} as a string, or an {@link IllegalArgumentException} saying what is missing. */
    public String stringArgument(String key) {
        Object v = arguments.get(key);
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("tool '" + name + "' needs a string argument '" + key + "'"
                    + (v == null ? "" : ", got " + v.getClass().getSimpleName()));
        }
        return s;
    }
}
