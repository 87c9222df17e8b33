package dev.r1j.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSONL side of {@code recipe generate}: reading prompts and writing one line per prompt with its completions.
 *
 * <p>Input lines are objects with {@code prompt} (a string) or {@code messages} (an array of {@code {role,
 * content}}, rendered with the tokenizer's chat template); other fields (e.g. {@code answer}) are carried to the
 * output line unchanged. Output line:
 *
 * <pre>{@code
 * {"prompt": "12+7=", "prompt_token_ids": [1, 5, 6], "answer": "19",
 *  "completions": [{"text": "19", "token_ids": [5, 13, 2], "logprobs": [-0.1, -0.3, -0.01],
 *                   "finish_reason": "eos"}, ...]}
 * }</pre>
 */
public final class GenerationJsonl {
    private static final ObjectMapper JSON = new ObjectMapper();

    private GenerationJsonl() {}

    /** One input line: the text fed to the sampler and the fields to carry through. */
    public record PromptRow(String prompt, Map<String, JsonNode> extra) {}

    /** Reads a prompts file; a bad line is an error naming the file, the line and what was expected. */
    public static List<PromptRow> readPrompts(Path file, Tokenizer tokenizer) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prompts file " + file + ": " + e.getMessage(), e);
        }
        List<PromptRow> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException(where + ": not valid JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject()) throw new IllegalArgumentException(where + ": expected a JSON object, got " + line);
            rows.add(new PromptRow(promptText(node, tokenizer, where), extraFields(node)));
        }
        return rows;
    }

    private static String promptText(JsonNode node, Tokenizer tokenizer, String where) {
        JsonNode prompt = node.get("prompt");
        if (prompt != null && prompt.isTextual()) return prompt.textValue();
        JsonNode messages = node.get("messages");
        if (messages != null && messages.isArray() && !messages.isEmpty()) {
            List<Map<String, String>> turns = new ArrayList<>();
            for (JsonNode m : messages) {
                if (!m.path("role").isTextual() || !m.path("content").isTextual()) {
                    throw new IllegalArgumentException(where + ": each of 'messages' needs string 'role' and 'content', got " + m);
                }
                turns.add(Map.of("role", m.get("role").textValue(), "content", m.get("content").textValue()));
            }
            return tokenizer.applyChatTemplate(turns, true);
        }
        throw new IllegalArgumentException(where + ": expected a string field 'prompt' or an array field 'messages'");
    }

    private static Map<String, JsonNode> extraFields(JsonNode node) {
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            if (!e.getKey().equals("prompt") && !e.getKey().equals("messages")) extra.put(e.getKey(), e.getValue());
        });
        return extra;
    }

    /** One output line (without the newline) for a group and the input fields to carry. */
    public static String toJsonLine(CompletionGroup group, Map<String, JsonNode> extra) {
        ObjectNode out = JSON.createObjectNode().put("prompt", group.prompt());
        ArrayNode pids = out.putArray("prompt_token_ids");
        for (int id : group.promptTokenIds()) pids.add(id);
        extra.forEach((k, v) -> {
            if (!out.has(k) && !k.equals("completions")) out.set(k, v);
        });
        ArrayNode completions = out.putArray("completions");
        for (Completion c : group.completions()) {
            ObjectNode o = completions.addObject().put("text", c.text());
            ArrayNode ids = o.putArray("token_ids");
            for (int id : c.tokenIds()) ids.add(id);
            if (c.logprobs() == null) {
                o.putNull("logprobs");
            } else {
                ArrayNode lp = o.putArray("logprobs");
                for (float x : c.logprobs()) lp.add(x);
            }
            o.put("finish_reason", c.finishReason().wireName());
        }
        return out.toString();
    }
}
