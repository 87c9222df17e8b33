package dev.r1j.rollout.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.rollout.BudgetExceededException;
import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.TopLogprobs;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAI request side, without HTTP: validates a request body (each error names its field), checks it against
 * the model's context length, and submits it to the {@link ContinuousBatcher}; the returned {@link Generation}
 * renders the response, whole or streamed. Extensions beyond OpenAI's schema follow vLLM's names: {@code top_k} in
 * requests; {@code token_ids} and {@code prompt_token_ids} on each choice, and {@code stop_reason}.
 */
final class CompletionsApi {
    static final int DEFAULT_COMPLETION_MAX_TOKENS = 16; // OpenAI's default for /v1/completions
    static final int DEFAULT_CHAT_MAX_TOKENS = 256;
    static final int MAX_N = 256;

    private final ContinuousBatcher batcher;
    private final LocalSampler sampler;
    private final Tokenizer tokenizer;
    private final String modelName;
    private LoraSlot lora;
    private final ObjectMapper json = new ObjectMapper();
    private final SecureRandom seeds = new SecureRandom();
    private final long created = System.currentTimeMillis() / 1000;

    CompletionsApi(ContinuousBatcher batcher, String modelName) {
        this.batcher = batcher;
        this.sampler = batcher.sampler();
        this.tokenizer = sampler.tokenizer();
        this.modelName = modelName;
    }

    /** Requests may name the slot's adapter (and must, while one is loaded). */
    void lora(LoraSlot slot) {
        this.lora = slot;
    }

    /** {@code GET /v1/models}: the model, and a loaded LoRA adapter with the model as its {@code parent} (as vLLM). */
    ObjectNode models() {
        ObjectNode out = json.createObjectNode().put("object", "list");
        out.putArray("data").add(modelObject());
        String adapter = lora == null ? null : lora.name();
        if (adapter != null) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) out.get("data")).add(json.createObjectNode()
                    .put("id", adapter).put("object", "model").put("created", created).put("owned_by", "r1j")
                    .put("parent", modelName));
        }
        return out;
    }

    /** {@code GET /v1/models/{id}}. */
    ObjectNode model(String id) {
        if (!id.equals(modelName)) throw modelNotFound(id);
        return modelObject();
    }

    private ObjectNode modelObject() {
        ObjectNode m = json.createObjectNode().put("id", modelName).put("object", "model").put("created", created)
                .put("owned_by", "r1j");
        if (batcher.contextLength() != Integer.MAX_VALUE) m.put("max_model_len", batcher.contextLength());
        return m;
    }

    /** {@code POST /v1/completions}. */
    Generation completions(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        List<RequestFields.Prompt> prompts = f.prompts("prompt", tokenizer.vocabSize());
        if (prompts == null) {
            throw ApiException.invalid("prompt", "'prompt' is required (a string, an array of strings, an array of "
                    + "token ids or an array of arrays of token ids)");
        }
        if (prompts.isEmpty()) throw ApiException.invalid("prompt", "'prompt' must not be an empty array");
        JsonNode lp = f.raw("logprobs");
        if (lp != null && (!lp.isIntegralNumber() || lp.intValue() < 0 || lp.intValue() > TopLogprobs.MAX)) {
            throw ApiException.invalid("logprobs", "'logprobs' must be an integer in [0, " + TopLogprobs.MAX
                    + "] (the number of most likely alternatives returned per token; this server returns at most "
                    + TopLogprobs.MAX + "), got " + lp);
        }
        if (f.bool("echo", false)) throw ApiException.invalid("echo", "'echo' is not supported");
        List<int[]> ids = new ArrayList<>();
        for (RequestFields.Prompt p : prompts) ids.add(p.ids() != null ? p.ids() : encode(p.text(), "prompt"));
        Integer logprobs = lp == null ? null : lp.intValue();
        return submit(Generation.Kind.COMPLETION, f, ids, "prompt", DEFAULT_COMPLETION_MAX_TOKENS, logprobs);
    }

    /** {@code POST /v1/chat/completions}: the messages are rendered with the tokenizer's chat template. */
    Generation chat(JsonNode body) {
        RequestFields f = new RequestFields(body);
        checkModel(f);
        JsonNode messages = f.raw("messages");
        if (messages == null) throw ApiException.invalid("messages", "'messages' is required");
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {role, content} objects");
        }
        List<Map<String, String>> turns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual()) {
                throw ApiException.invalid(where, where + " must have a string 'role' and a 'content', got " + m);
            }
            Map<String, String> turn = new LinkedHashMap<>();
            turn.put("role", role.textValue());
            turn.put("content", RequestFields.content(m.get("content"), where));
            turns.add(turn);
        }
        boolean logprobs = f.bool("logprobs", false);
        int top = f.integer("top_logprobs", 0);
        if (top < 0 || top > TopLogprobs.MAX) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' must be an integer in [0, " + TopLogprobs.MAX
                    + "] (this server returns at most " + TopLogprobs.MAX + " alternatives per token), got " + top);
        }
        if (f.raw("top_logprobs") != null && !logprobs) {
            throw ApiException.invalid("top_logprobs", "'top_logprobs' needs 'logprobs': true");
        }
        String prompt;
        try {
            prompt = tokenizer.applyChatTemplate(turns, true);
        } catch (IllegalStateException e) {
            throw new ApiException(400, "invalid_request_error", "this model has no chat template (its "
                    + "tokenizer_config.json has no 'chat_template'), so chat messages cannot be rendered; use "
                    + "/v1/completions with a plain prompt", "messages", "chat_template_missing");
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("messages", "the chat template cannot render these messages: " + e.getMessage());
        }
        List<int[]> ids = List.of(encode(prompt, "messages"));
        int maxTokens = f.raw("max_completion_tokens") != null
                ? f.integer("max_completion_tokens", DEFAULT_CHAT_MAX_TOKENS)
                : DEFAULT_CHAT_MAX_TOKENS;
        return submit(Generation.Kind.CHAT, f, ids, "messages", maxTokens, logprobs ? top : null);
    }

    private int[] encode(String text, String param) {
        try {
            return sampler.encodePrompt(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, e.getMessage()); // e.g. a character the tokenizer cannot encode
        }
    }

    private Generation submit(Generation.Kind kind, RequestFields f, List<int[]> ids, String promptParam,
            int defaultMaxTokens, Integer logprobs) {
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonNode streamOptions = f.raw("stream_options");
        if (streamOptions != null) {
            if (!stream) throw ApiException.invalid("stream_options", "'stream_options' needs 'stream': true");
            JsonNode u = streamOptions.get("include_usage");
            includeUsage = u != null && u.asBoolean(false);
        }
        int longest = ids.stream().mapToInt(a -> a.length).max().orElseThrow();
        for (int[] p : ids) if (p.length == 0) throw ApiException.invalid(promptParam, "the prompt has no tokens");
        SamplingParams params = params(f, defaultMaxTokens, longest, promptParam);
        try {
            return new Generation(kind, batcher, ids, params, logprobs, stream, includeUsage, modelName, tokenizer,
                    json);
        } catch (BudgetExceededException e) {
            throw new ApiException(400, "invalid_request_error", e.getMessage(), "max_tokens", "memory_budget_exceeded");
        }
    }

    /** Sampling fields shared by both endpoints, validated one by one so the error names the field. */
    private SamplingParams params(RequestFields f, int defaultMaxTokens, int promptTokens, String promptParam) {
        int n = f.integer("n", 1);
        if (n < 1 || n > MAX_N) throw ApiException.invalid("n", "'n' must be in [1, " + MAX_N + "], got " + n);
        int context = batcher.contextLength();
        if (promptTokens >= context) {
            throw new ApiException(400, "invalid_request_error", "This model's maximum context length is " + context
                    + " tokens. However, your prompt has " + promptTokens + " tokens, which leaves no room for a "
                    + "completion. Please reduce the length of the prompt.", promptParam, "context_length_exceeded");
        }
        boolean explicit = f.raw("max_tokens") != null;
        int maxTokens = f.integer("max_tokens", Math.min(defaultMaxTokens, context - promptTokens));
        if (maxTokens < 1) throw ApiException.invalid("max_tokens", "'max_tokens' must be >= 1, got " + maxTokens);
        if (explicit && (long) promptTokens + maxTokens > context) {
            throw new ApiException(400, "invalid_request_error", "This model's maximum context length is " + context
                    + " tokens. However, you requested " + ((long) promptTokens + maxTokens) + " tokens ("
                    + promptTokens + " in the prompt, " + maxTokens + " in the completion). Please reduce the length "
                    + "of the prompt or the completion.", "max_tokens", "context_length_exceeded");
        }
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

    private void checkModel(RequestFields f) {
        String model = f.string("model");
        String adapter = lora == null ? null : lora.name();
        if (adapter != null && !adapter.equals(model)) {
            throw new ApiException(400, "invalid_request_error", "the LoRA adapter '" + adapter + "' is loaded and "
                    + "recipe serve applies it to every request: name it as the model (or unload it), got '" + model
                    + "'", "model", "model_not_found");
        }
        if (adapter == null && model != null && !model.equals(modelName)) throw modelNotFound(model);
    }

    private ApiException modelNotFound(String model) {
        return new ApiException(404, "invalid_request_error",
                "The model '" + model + "' does not exist; this server serves '" + modelName + "'", "model",
                "model_not_found");
    }
}
