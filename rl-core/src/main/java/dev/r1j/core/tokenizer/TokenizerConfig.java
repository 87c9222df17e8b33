package dev.r1j.core.tokenizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The parts of {@code tokenizer_config.json} R1J uses: the special tokens (each a string, {@code null}, or an
 * {@code {"content": ...}} object as {@code transformers} writes them) and the chat template (a string, a list of
 * {@code {name, template}} of which {@code default} is taken, or a separate {@code chat_template.jinja}). The
 * original JSON is kept so saving does not lose fields R1J does not know.
 *
 * <pre>{@code
 * TokenizerConfig c = TokenizerConfig.read(dir);   // empty when the file is absent
 * String eos = c.eosToken();
 * }</pre>
 */
public record TokenizerConfig(
        String bosToken, String eosToken, String padToken, String unkToken, String chatTemplate, ObjectNode raw) {
    public static final String FILE = "tokenizer_config.json";
    public static final String TEMPLATE_FILE = "chat_template.jinja";

    static final ObjectMapper JSON = new ObjectMapper();

    /** No special tokens and no template. */
    public static TokenizerConfig empty() {
        return new TokenizerConfig(null, null, null, null, null, JSON.createObjectNode());
    }

    /** Reads {@code dir/tokenizer_config.json} (and {@code chat_template.jinja}); empty when neither exists. */
    public static TokenizerConfig read(Path dir) {
        Path file = dir.resolve(FILE);
        TokenizerConfig config = empty();
        try {
            if (Files.isRegularFile(file)) {
                config = parse(Files.readString(file), file.toString());
            }
            Path template = dir.resolve(TEMPLATE_FILE);
            if (config.chatTemplate() == null && Files.isRegularFile(template)) {
                config = config.withChatTemplate(Files.readString(template));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read: " + e.getMessage(), e);
        }
        return config;
    }

    /** Parses the JSON text of a {@code tokenizer_config.json}; {@code sourceName} appears in errors. */
    public static TokenizerConfig parse(String json, String sourceName) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(sourceName + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(sourceName + ": expected a JSON object");
        }
        return new TokenizerConfig(token(root, "bos_token", sourceName), token(root, "eos_token", sourceName),
                token(root, "pad_token", sourceName), token(root, "unk_token", sourceName),
                template(root, sourceName), (ObjectNode) root);
    }

    /** The same configuration with {@code template} as its chat template (also in the raw JSON). */
    public TokenizerConfig withChatTemplate(String template) {
        ObjectNode copy = raw.deepCopy();
        if (template == null) {
            copy.remove("chat_template");
        } else {
            copy.put("chat_template", template);
        }
        return new TokenizerConfig(bosToken, eosToken, padToken, unkToken, template, copy);
    }

    /** The special tokens as chat-template variables ({@code bos_token}, ...), absent ones left out. */
    public Map<String, String> templateVariables() {
        Map<String, String> vars = new LinkedHashMap<>();
        put(vars, "bos_token", bosToken);
        put(vars, "eos_token", eosToken);
        put(vars, "pad_token", padToken);
        put(vars, "unk_token", unkToken);
        return vars;
    }

    /** Pretty-printed JSON of the raw configuration. */
    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(raw) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void put(Map<String, String> vars, String key, String value) {
        if (value != null) {
            vars.put(key, value);
        }
    }

    private static String token(JsonNode root, String field, String source) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isObject() && n.has("content") && n.get("content").isTextual()) {
            return n.get("content").asText();
        }
        throw new IllegalArgumentException(source + ": field '" + field
                + "' must be a string, null or an object with a string 'content', got " + n);
    }

    private static String template(JsonNode root, String source) {
        JsonNode n = root.get("chat_template");
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isArray()) {
            JsonNode first = null;
            for (JsonNode t : n) {
                if (!t.isObject() || !t.path("name").isTextual() || !t.path("template").isTextual()) {
                    throw new IllegalArgumentException(source + ": field 'chat_template' entries must be "
                            + "{\"name\": str, \"template\": str}, got " + t);
                }
                if (t.get("name").asText().equals("default")) {
                    return t.get("template").asText();
                }
                first = first == null ? t : first;
            }
            return first == null ? null : first.get("template").asText();
        }
        throw new IllegalArgumentException(source + ": field 'chat_template' must be a string or a list of "
                + "{name, template}, got " + n.getNodeType());
    }
}
