package dev.r1j.recipes.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Short descriptions of tree values for error messages: "a list", "string 'abc'", "1.5". */
final class Describe {
    private Describe() {}

    static String kind(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isNull()) {
            return "null";
        }
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        return "a number";
    }

    /** The value itself when it is a short scalar, otherwise its kind. */
    static String value(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "nothing";
        }
        if (node.isTextual()) {
            String t = node.asText();
            return "string '" + (t.length() > 60 ? t.substring(0, 57) + "..." : t) + "'";
        }
        if (node.isNumber() || node.isBoolean() || node.isNull()) {
            return node.toString();
        }
        return kind(node);
    }
}
