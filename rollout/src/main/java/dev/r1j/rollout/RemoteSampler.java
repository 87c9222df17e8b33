package dev.r1j.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A {@link Sampler} against any OpenAI-compatible {@code /v1/completions} endpoint: {@code recipe serve}, vLLM or
 * SGLang. Each prompt is one request with {@code n = groupSize}; the requests of a batch are sent concurrently so
 * the server can batch them. Prompt {@code i} is sent with seed {@link #promptSeed(long, int) promptSeed(seed, i)}
 * so the groups of one batch do not share random streams.
 *
 * <p><b>Token ids.</b> The request asks for {@code return_token_ids} (vLLM's extension; {@code recipe serve} always
 * sends them) and reads {@code token_ids} / {@code prompt_token_ids} from each choice. A server that does not send
 * them needs a local tokenizer: the completion's text is then re-encoded, which can differ from what was sampled
 * (a stop string cut from the text, an EOS, or a different segmentation); the log-probs are then kept only when
 * their count matches the re-encoded ids, otherwise they are {@code null}.
 *
 * <p><b>Log-probs</b> are what the server returns for each sampled token ({@code logprobs: 0} asks for the chosen
 * token only). {@code recipe serve} returns {@code log softmax(z/T)} at the request's temperature, as
 * {@link LocalSampler} does; vLLM's depend on its {@code --logprobs-mode} ({@code processed_logprobs} is the same
 * when top-p and top-k are off).
 *
 * <p><b>Finish reasons.</b> {@code length} maps to {@link FinishReason#LENGTH}; {@code stop} maps to
 * {@link FinishReason#STOP} when the choice's {@code stop_reason} is a string (the stop string), otherwise to
 * {@link FinishReason#EOS}.
 *
 * <pre>{@code
 * try (Sampler remote = new RemoteSampler(URI.create("http://127.0.0.1:8000"), "toy", null)) {
 *     List<CompletionGroup> groups = remote.sample(List.of("12+7="), params);
 * }
 * }</pre>
 */
public final class RemoteSampler implements Sampler {
    private final URI completionsUri;
    private final String model;
    private final Tokenizer localTokenizer;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final RemoteEpisodes episodes; // multi-turn tool use, null: single-turn

    /**
     * @param baseUrl the server, with or without a trailing {@code /v1}
     * @param model the model name the server expects
     * @param localTokenizer used only when the server returns no token ids; may be null
     */
    public RemoteSampler(URI baseUrl, String model, Tokenizer localTokenizer) {
        this(baseUrl, model, localTokenizer, Duration.ofMinutes(30));
    }

    public RemoteSampler(URI baseUrl, String model, Tokenizer localTokenizer, Duration timeout) {
        this(baseUrl, model, localTokenizer, timeout, null);
    }

    private RemoteSampler(URI baseUrl, String model, Tokenizer localTokenizer, Duration timeout,
            RemoteEpisodes episodes) {
        this.episodes = episodes;
        String base = Objects.requireNonNull(baseUrl, "baseUrl").toString().replaceAll("/+$", "");
        if (base.endsWith("/v1")) base = base.substring(0, base.length() - 3);
        this.completionsUri = URI.create(base + "/v1/completions");
        this.model = Objects.requireNonNull(model, "model");
        this.localTokenizer = localTokenizer;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * A sampler on the same server that runs multi-turn episodes with {@code tools} ({@link RemoteEpisodes}):
     * {@code tokenizer} must be the served model's (observations are encoded with it, turns decoded). The caller
     * keeps owning and closes the runner.
     */
    public RemoteSampler withTools(ToolRunner tools, Tokenizer tokenizer) {
        return new RemoteSampler(URI.create(completionsUri.toString().replaceAll("/v1/completions$", "")), model,
                localTokenizer, timeout, tools == null ? null : RemoteEpisodes.of(tools, tokenizer));
    }

    /** The seed sent with prompt {@code index} of a batch sampled with {@code seed}. */
    public static long promptSeed(long seed, int index) {
        return Row.rowSeed(seed, index, -1);
    }

    @Override
    public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
        List<CompletableFuture<CompletionGroup>> pending = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            pending.add(sampleAsync(model, prompts.get(i), params, promptSeed(params.seed(), i)));
        }
        List<CompletionGroup> groups = new ArrayList<>(prompts.size());
        for (CompletableFuture<CompletionGroup> p : pending) {
            try {
                groups.add(p.join());
            } catch (CompletionException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                if (cause instanceof RuntimeException r) throw r;
                throw new UncheckedIOException("POST " + completionsUri + " failed: " + cause,
                        cause instanceof IOException io ? io : new IOException(cause));
            }
        }
        return groups;
    }

    /**
     * One group ({@code n = groupSize}) for one prompt, sent now and parsed when it arrives, naming {@code model}
     * (the served model, or a LoRA adapter's name) and sending {@code seed} as is. The future fails with an
     * {@link UncheckedIOException} when the request does not go through (connection refused, the timeout) and an
     * {@link IllegalStateException} naming the server and its answer when the answer is an error or malformed.
     */
    public CompletableFuture<CompletionGroup> sampleAsync(String model, String prompt, SamplingParams params,
            long seed) {
        return sampleAsync(model, prompt, params, seed, episodes);
    }

    /**
     * Like {@link #sampleAsync(String, String, SamplingParams, long)}; with {@code episodes} (null: single-turn) the
     * group is {@code groupSize} multi-turn episodes, each a chain of requests to this server.
     */
    public CompletableFuture<CompletionGroup> sampleAsync(String model, String prompt, SamplingParams params,
            long seed, RemoteEpisodes episodes) {
        if (episodes != null) return episodes.group(this, model, prompt, params, seed);
        return send(model, prompt, null, params, seed);
    }

    /**
     * One request: {@code params.groupSize()} choices for the prompt, given as text, or as token ids fed as they are
     * when {@code promptIds} is not null ({@code prompt} is then only the group's label).
     */
    CompletableFuture<CompletionGroup> send(String model, String prompt, int[] promptIds, SamplingParams params,
            long seed) {
        HttpRequest request = HttpRequest.newBuilder(completionsUri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(requestBody(model, prompt, promptIds, params, seed)))
                .build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                throw new UncheckedIOException("POST " + completionsUri + " failed: " + cause,
                        cause instanceof IOException io ? io : new IOException(cause));
            }
            CompletionGroup g = parse(prompt, response, params.groupSize());
            return promptIds == null ? g : new CompletionGroup(prompt, promptIds.clone(), g.completions());
        });
    }

    private String requestBody(String model, String prompt, int[] promptIds, SamplingParams params, long seed) {
        ObjectNode body = json.createObjectNode().put("model", model);
        if (promptIds == null) {
            body.put("prompt", prompt);
        } else {
            var ids = body.putArray("prompt");
            for (int id : promptIds) ids.add(id);
        }
        body.put("n", params.groupSize())
                .put("max_tokens", params.maxNewTokens())
                .put("temperature", params.temperature())
                .put("top_p", params.topP())
                .put("seed", seed)
                .put("logprobs", 0)
                .put("return_token_ids", true);
        if (params.topK() > 0) body.put("top_k", params.topK()); // vLLM/SGLang extension; omitted when off
        if (!params.stop().isEmpty()) {
            var stop = body.putArray("stop");
            params.stop().forEach(stop::add);
        }
        return body.toString();
    }

    private CompletionGroup parse(String prompt, HttpResponse<String> response, int groupSize) {
        JsonNode root;
        try {
            root = json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("POST " + completionsUri + " -> " + response.statusCode()
                    + ": the response is not JSON: " + abbreviate(response.body()));
        }
        if (response.statusCode() / 100 != 2) {
            String message = root.path("error").path("message").asText(abbreviate(response.body()));
            throw new ErrorStatusException("POST " + completionsUri + " -> " + response.statusCode() + ": " + message,
                    response.statusCode());
        }
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.size() != groupSize) {
            throw new IllegalStateException("POST " + completionsUri + ": expected " + groupSize + " choices, got "
                    + (choices.isArray() ? choices.size() : "none"));
        }
        Completion[] completions = new Completion[groupSize];
        int[] promptIds = null;
        for (JsonNode choice : choices) {
            int index = choice.path("index").asInt(-1);
            if (index < 0 || index >= groupSize || completions[index] != null) {
                throw new IllegalStateException("POST " + completionsUri + ": bad or repeated choice index " + index);
            }
            completions[index] = completion(choice);
            if (promptIds == null && choice.has("prompt_token_ids")) promptIds = ints(choice.get("prompt_token_ids"));
        }
        if (promptIds == null && root.has("prompt_token_ids")) promptIds = ints(root.get("prompt_token_ids"));
        if (promptIds == null) promptIds = localTokenizer != null ? localTokenizer.encode(prompt) : new int[0];
        return new CompletionGroup(prompt, promptIds, Arrays.asList(completions));
    }

    private Completion completion(JsonNode choice) {
        String text = choice.path("text").asText("");
        float[] logprobs = null;
        JsonNode lp = choice.path("logprobs").path("token_logprobs");
        if (lp.isArray()) {
            logprobs = new float[lp.size()];
            for (int k = 0; k < lp.size(); k++) logprobs[k] = lp.get(k).isNumber() ? lp.get(k).floatValue() : Float.NaN;
        }
        int[] ids;
        if (choice.has("token_ids") && choice.get("token_ids").isArray()) {
            ids = ints(choice.get("token_ids"));
        } else if (localTokenizer != null) {
            ids = localTokenizer.encode(text);
        } else {
            throw new IllegalStateException("the server at " + completionsUri
                    + " returns no token_ids; pass a local tokenizer to RemoteSampler to re-encode the text");
        }
        if (logprobs != null && logprobs.length != ids.length) logprobs = null;
        String finish = choice.path("finish_reason").asText("");
        FinishReason reason = switch (finish) {
            case "length" -> FinishReason.LENGTH;
            case "stop" -> choice.path("stop_reason").isTextual() ? FinishReason.STOP : FinishReason.EOS;
            default -> throw new IllegalStateException("unknown finish_reason '" + finish + "' from " + completionsUri);
        };
        return new Completion(ids, text, logprobs, reason);
    }

    /** The server answered with an error status (its message is in the exception's). */
    public static final class ErrorStatusException extends IllegalStateException {
        private final int status;

        ErrorStatusException(String message, int status) {
            super(message);
            this.status = status;
        }

        /** The HTTP status, e.g. 400 for a request the server refuses, 503 for one it cannot serve now. */
        public int status() {
            return status;
        }
    }

    private static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
