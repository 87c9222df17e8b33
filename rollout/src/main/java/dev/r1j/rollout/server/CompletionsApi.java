package dev.r1j.rollout.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The OpenAI request/response mapping, without HTTP: validates a request body, runs the {@link Sampler} and builds
 * the response. Extensions beyond OpenAI's schema follow vLLM's names: {@code top_k} in requests; {@code token_ids}
 * and {@code prompt_token_ids} on each choice, and {@code stop_reason} (the stop string that ended a choice,
 * {@code null} for EOS or length), so that {@code RemoteSampler} reads ours and vLLM's the same way.
 */
final class CompletionsApi {
    static final int DEFAULT_COMPLETION_MAX_TOKENS = 16; // OpenAI's default for /v1/completions
    static final int DEFAULT_CHAT_MAX_TOKENS = 256;
    static final int MAX_N = 256;

    private final Sampler sampler;
    private final Tokenizer tokenizer;
    private final String modelName;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom seeds = new SecureRandom();
    private final long created = System.currentTimeMillis() / 1000;

    CompletionsApi(Sampler sampler, Tokenizer tokenizer, String modelName) {
        this.sampler = sampler;
        this.tokenizer = tokenizer;
        this.modelName = modelName;
    }

    ObjectNode models() {
        ObjectNode out = json.createObjectNode().put("object", "list");
        out.putArray("data").addObject().put("id", modelName).put("object", "model").put("created", created)
                .put("owned_by", "r1j");
        return out;
    }

    /** {@code POST /v1/completions}. */
    ObjectNode completions(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        List<String> prompts = f.strings("prompt");
        if (prompts == null) throw ApiException.invalid("prompt", "'prompt' is required (a string or an array of strings)");
        if (prompts.isEmpty()) throw ApiException.invalid("prompt", "'prompt' must not be an empty array");
        JsonNode lp = f.raw("logprobs");
        if (lp != null && (!lp.isIntegralNumber() || lp.intValue() < 0 || lp.intValue() > 20)) {
            throw ApiException.invalid("logprobs", "'logprobs' must be an integer in [0, 20], got " + lp);
        }
        if (f.bool("echo", false)) throw ApiException.invalid("echo", "'echo' is not supported");
        SamplingParams params = params(f, DEFAULT_COMPLETION_MAX_TOKENS);
        List<CompletionGroup> groups = run(prompts, params);

        ObjectNode out = header("cmpl-", "text_completion");
        ArrayNode choices = out.putArray("choices");
        int promptTokens = 0, completionTokens = 0;
        for (int p = 0; p < groups.size(); p++) {
            CompletionGroup g = groups.get(p);
            promptTokens += g.promptTokenIds().length;
            for (int j = 0; j < g.completions().size(); j++) {
                Completion c = g.completions().get(j);
                completionTokens += c.tokenIds().length;
                ObjectNode choice = choices.addObject().put("index", p * params.groupSize() + j).put("text", c.text());
                if (lp == null) {
                    choice.putNull("logprobs");
                } else {
                    ObjectNode l = choice.putObject("logprobs");
                    ArrayNode tokens = l.putArray("tokens"), values = l.putArray("token_logprobs");
                    ArrayNode offsets = l.putArray("text_offset");
                    int offset = 0;
                    for (int k = 0; k < c.tokenIds().length; k++) {
                        String piece = tokenizer.decode(new int[] {c.tokenIds()[k]});
                        tokens.add(piece);
                        values.add(c.logprobs()[k]);
                        offsets.add(offset);
                        offset += piece.length();
                    }
                    l.putNull("top_logprobs");
                }
                finish(choice, c, params);
                ids(choice.putArray("token_ids"), c.tokenIds());
                ids(choice.putArray("prompt_token_ids"), g.promptTokenIds());
            }
        }
        usage(out, promptTokens, completionTokens);
        return out;
    }

    /** {@code POST /v1/chat/completions}: the messages are rendered with the tokenizer's chat template. */
    ObjectNode chat(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        JsonNode messages = f.raw("messages");
        if (messages == null) throw ApiException.invalid("messages", "'messages' is required");
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {role, content} objects");
        }
        List<Map<String, String>> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            JsonNode role = m.get("role"), content = m.get("content");
            if (role == null || !role.isTextual() || content == null || !content.isTextual()) {
                throw ApiException.invalid("messages[" + i + "]",
                        "messages[" + i + "] must have string 'role' and 'content', got " + m);
            }
            Map<String, String> turn = new LinkedHashMap<>();
            turn.put("role", role.textValue());
            turn.put("content", content.textValue());
            turns.add(turn);
        }
        boolean logprobs = f.bool("logprobs", false);
        int maxTokens = f.raw("max_completion_tokens") != null
                ? f.integer("max_completion_tokens", DEFAULT_CHAT_MAX_TOKENS)
                : DEFAULT_CHAT_MAX_TOKENS;
        SamplingParams params = params(f, maxTokens);
        String prompt = tokenizer.applyChatTemplate(turns, true);
        CompletionGroup g = run(List.of(prompt), params).get(0);

        ObjectNode out = header("chatcmpl-", "chat.completion");
        ArrayNode choices = out.putArray("choices");
        int completionTokens = 0;
        for (int j = 0; j < g.completions().size(); j++) {
            Completion c = g.completions().get(j);
            completionTokens += c.tokenIds().length;
            ObjectNode choice = choices.addObject().put("index", j);
            choice.putObject("message").put("role", "assistant").put("content", c.text());
            if (!logprobs) {
                choice.putNull("logprobs");
            } else {
                ArrayNode content = choice.putObject("logprobs").putArray("content");
                for (int k = 0; k < c.tokenIds().length; k++) {
                    String piece = tokenizer.decode(new int[] {c.tokenIds()[k]});
                    ObjectNode t = content.addObject().put("token", piece).put("logprob", c.logprobs()[k]);
                    ArrayNode bytes = t.putArray("bytes");
                    for (byte b : piece.getBytes(java.nio.charset.StandardCharsets.UTF_8)) bytes.add(b & 0xff);
                    t.putArray("top_logprobs");
                }
            }
            finish(choice, c, params);
            ids(choice.putArray("token_ids"), c.tokenIds());
        }
        ids(out.putArray("prompt_token_ids"), g.promptTokenIds());
        usage(out, g.promptTokenIds().length, completionTokens);
        return out;
    }

    private void checkModel(RequestFields f) {
        String model = f.string("model");
        if (model != null && !model.equals(modelName)) {
            throw new ApiException(404, "invalid_request_error",
                    "The model '" + model + "' does not exist; this server serves '" + modelName + "'", "model",
                    "model_not_found");
        }
        if (f.bool("stream", false)) throw ApiException.invalid("stream", "'stream' is not supported by this server");
    }

    /** Sampling fields shared by both endpoints, validated one by one so the error names the field. */
    private SamplingParams params(RequestFields f, int defaultMaxTokens) {
        int n = f.integer("n", 1);
        if (n < 1 || n > MAX_N) throw ApiException.invalid("n", "'n' must be in [1, " + MAX_N + "], got " + n);
        int maxTokens = f.integer("max_tokens", defaultMaxTokens);
        if (maxTokens < 1) throw ApiException.invalid("max_tokens", "'max_tokens' must be >= 1, got " + maxTokens);
        double temperature = f.number("temperature", 1.0);
        if (!(temperature >= 0)) {
            throw ApiException.invalid("temperature", "'temperature' must be >= 0, got " + temperature);
        }
        double topP = f.number("top_p", 1.0);
        if (!(topP > 0 && topP <= 1)) throw ApiException.invalid("top_p", "'top_p' must be in (0, 1], got " + topP);
        int topK = f.integer("top_k", 0);
        if (topK < -1) throw ApiException.invalid("top_k", "'top_k' must be -1 or 0 (off) or positive, got " + topK);
        List<String> stop = f.strings("stop");
        if (stop != null) {
            for (String s : stop) if (s.isEmpty()) throw ApiException.invalid("stop", "stop strings must be non-empty");
        }
        Long seed = f.optionalLong("seed");
        return new SamplingParams(n, maxTokens, temperature, topP, Math.max(topK, 0),
                stop == null ? List.of() : stop, seed != null ? seed : seeds.nextLong());
    }

    private List<CompletionGroup> run(List<String> prompts, SamplingParams params) {
        try {
            return sampler.sample(prompts, params);
        } catch (IllegalArgumentException e) {
            // e.g. a character the tokenizer cannot encode, or an empty prompt without BOS
            throw ApiException.invalid("prompt", e.getMessage());
        }
    }

    private ObjectNode header(String idPrefix, String object) {
        return json.createObjectNode().put("id", idPrefix + UUID.randomUUID().toString().replace("-", ""))
                .put("object", object).put("created", System.currentTimeMillis() / 1000).put("model", modelName);
    }

    /** OpenAI has only {@code stop} and {@code length}; EOS and stop strings are told apart by {@code stop_reason}. */
    private void finish(ObjectNode choice, Completion c, SamplingParams params) {
        choice.put("finish_reason", c.finishReason() == FinishReason.LENGTH ? "length" : "stop");
        if (c.finishReason() == FinishReason.STOP) {
            choice.put("stop_reason", matchedStop(c, params.stop()));
        } else {
            choice.putNull("stop_reason");
        }
    }

    /** The stop string that starts where the returned text was cut. */
    private String matchedStop(Completion c, List<String> stops) {
        String full = tokenizer.decode(c.tokenIds());
        for (String s : stops) if (full.startsWith(s, c.text().length())) return s;
        return stops.isEmpty() ? null : stops.get(0);
    }

    private static void ids(ArrayNode array, int[] ids) {
        for (int id : ids) array.add(id);
    }

    private static void usage(ObjectNode out, int prompt, int completion) {
        out.putObject("usage").put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }
}
