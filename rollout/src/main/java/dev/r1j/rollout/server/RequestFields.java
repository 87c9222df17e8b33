package dev.r1j.rollout.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Typed reads of optional request fields; a wrong type is a 400 naming the field. */
final class RequestFields {
    private final JsonNode body;

    RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiException.invalid(null, "the request body must be a JSON object");
        this.body = body;
    }

    JsonNode raw(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    int integer(String name, int fallback) {
        JsonNode n = raw(name);
        if (n == null) return fallback;
        if (!n.canConvertToInt() || !n.isIntegralNumber()) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer, got " + n);
        }
        return n.intValue();
    }

    double number(String name, double fallback) {
        JsonNode n = raw(name);
        if (n == null) return fallback;
        if (!n.isNumber()) throw ApiException.invalid(name, "'" + name + "' must be a number, got " + n);
        return n.doubleValue();
    }

    Long optionalLong(String name) {
        JsonNode n = raw(name);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw ApiException.invalid(name, "'" + name + "' must be an integer, got " + n);
        }
        return n.longValue();
    }

    boolean bool(String name, boolean fallback) {
        JsonNode n = raw(name);
        if (n == null) return fallback;
        if (!n.isBoolean()) throw ApiException.invalid(name, "'" + name + "' must be true or false, got " + n);
        return n.booleanValue();
    }

    String string(String name) {
        JsonNode n = raw(name);
        if (n == null) return null;
        if (!n.isTextual()) throw ApiException.invalid(name, "'" + name + "' must be a string, got " + n);
        return n.textValue();
    }

    /** A string or an array of strings (OpenAI's {@code prompt} and {@code stop}); null when absent. */
    List<String> strings(String name) {
        JsonNode n = raw(name);
        if (n == null) return null;
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(n.textValue());
        } else if (n.isArray()) {
            for (JsonNode e : n) {
                if (!e.isTextual()) {
                    throw ApiException.invalid(name, "'" + name + "' must be a string or an array of strings, got " + n);
                }
                out.add(e.textValue());
            }
        } else {
            throw ApiException.invalid(name, "'" + name + "' must be a string or an array of strings, got " + n);
        }
        return out;
    }
}
