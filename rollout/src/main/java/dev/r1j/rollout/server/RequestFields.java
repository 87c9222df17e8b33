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

    /**
     * OpenAI's {@code prompt} of /v1/completions: a string, an array of strings, an array of token ids (one
     * prompt), or an array of arrays of token ids. Strings come back as {@link Prompt#text}, ids as {@link Prompt#ids}
     * (checked against {@code vocabSize}); null when absent.
     */
    List<Prompt> prompts(String name, int vocabSize) {
        JsonNode n = raw(name);
        if (n == null) return null;
        String expected = "'" + name + "' must be a string, an array of strings, an array of token ids or an array of"
                + " arrays of token ids";
        List<Prompt> out = new ArrayList<>();
        if (n.isTextual()) {
            out.add(Prompt.text(n.textValue()));
        } else if (n.isArray() && n.size() > 0 && n.get(0).isIntegralNumber()) {
            out.add(Prompt.ids(ids(n, name, vocabSize)));
        } else if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                JsonNode e = n.get(i);
                if (e.isTextual()) {
                    out.add(Prompt.text(e.textValue()));
                } else if (e.isArray()) {
                    out.add(Prompt.ids(ids(e, name + "[" + i + "]", vocabSize)));
                } else {
                    throw ApiException.invalid(name, expected + "; element " + i + " is " + e);
                }
            }
        } else {
            throw ApiException.invalid(name, expected + ", got " + n);
        }
        return out;
    }

    private static int[] ids(JsonNode array, String name, int vocabSize) {
        if (array.isEmpty()) throw ApiException.invalid("prompt", "'" + name + "' is an empty list of token ids");
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode e = array.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.intValue() < 0 || e.intValue() >= vocabSize) {
                throw ApiException.invalid("prompt", "'" + name + "[" + i + "]' must be a token id in [0, " + vocabSize
                        + "), got " + e);
            }
            ids[i] = e.intValue();
        }
        return ids;
    }

    /** A prompt given as text or as token ids (exactly one is non-null). */
    record Prompt(String text, int[] ids) {
        static Prompt text(String text) {
            return new Prompt(text, null);
        }

        static Prompt ids(int[] ids) {
            return new Prompt(null, ids);
        }
    }

    /**
     * A chat message's {@code content}: a string, or an array of content parts of which only
     * {@code {"type": "text", "text": ...}} is supported (joined without separator, as OpenAI and vLLM do).
     */
    static String content(JsonNode content, String where) {
        if (content != null && content.isTextual()) return content.textValue();
        if (content == null || !content.isArray()) {
            throw ApiException.invalid(where, where + ".content must be a string or an array of content parts, got "
                    + content);
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            JsonNode type = part.get("type");
            if (type == null || !"text".equals(type.asText()) || part.get("text") == null
                    || !part.get("text").isTextual()) {
                throw ApiException.invalid(where, where + ".content[" + i + "]: only text parts {\"type\": \"text\", "
                        + "\"text\": \"...\"} are supported by this text-only model, got " + part);
            }
            b.append(part.get("text").textValue());
        }
        return b.toString();
    }
}
