package dev.r1j.rollout.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.LocalSampler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server on the loopback interface: {@code GET /v1/models}, {@code GET /v1/models/{id}},
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} with {@code n}, {@code temperature},
 * {@code top_p}, {@code top_k}, {@code max_tokens}, {@code stop}, {@code seed}, {@code logprobs} (and chat's
 * {@code top_logprobs}), token-id prompts, chat content parts and {@code stream} (server-sent events in OpenAI's chunk
 * format, ending with {@code data: [DONE]}). Each choice also carries {@code token_ids}, {@code prompt_token_ids} and
 * {@code stop_reason} (vLLM's names). A bad request gets OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}} with a 4xx status, and the server keeps serving; a prompt
 * plus {@code max_tokens} over the model's context length, or over the memory budget, is such a 400.
 *
 * <p>Concurrent requests decode together in one loop ({@link ContinuousBatcher}); HTTP runs on the JDK's built-in
 * server, one pool thread per open request (see rollout/README.md for why). A streaming client that reads slowly
 * blocks only its own thread's writes; one that disconnects has its request cancelled at the next token.
 *
 * <pre>{@code
 * try (OpenAiServer server = OpenAiServer.start(new LocalSampler(model, tok), "toy", 0, ContinuousBatcher.Limits.defaults())) {
 *     URI base = server.baseUri();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    static final int MAX_BODY_BYTES = 16 << 20;
    static final int MAX_OPEN_REQUESTS = 256;
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    private final ContinuousBatcher batcher;
    private final CompletionsApi api;
    private final ObjectMapper json = new ObjectMapper();
    /** Generations hold it shared for their whole life; a weight load holds it alone (fair: loads are not starved). */
    private final ReentrantReadWriteLock weights = new ReentrantReadWriteLock(true);
    private final LoraSlot lora;
    private volatile String modelPath;
    private volatile String weightVersion;

    private OpenAiServer(HttpServer http, ThreadPoolExecutor pool, ContinuousBatcher batcher, String modelName) {
        this.http = http;
        this.pool = pool;
        this.batcher = batcher;
        this.api = new CompletionsApi(batcher, modelName);
        this.lora = new LoraSlot(batcher.sampler(), batcher.sampler().model());
        api.lora(lora);
    }

    /**
     * Starts serving on {@code 127.0.0.1:port} ({@code port} 0 picks a free port; see {@link #port()}), generating
     * with {@code sampler}'s model and tokenizer through a {@link ContinuousBatcher} that the server owns.
     *
     * @param modelName the id listed by {@code /v1/models}; a request naming another model gets a 404
     * @param limits the memory budgets per request and in total
     */
    public static OpenAiServer start(LocalSampler sampler, String modelName, int port, ContinuousBatcher.Limits limits) {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(modelName, "modelName");
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
        // one thread per open request (a streaming one holds its thread); beyond that, requests queue
        ThreadPoolExecutor pool = new ThreadPoolExecutor(MAX_OPEN_REQUESTS, MAX_OPEN_REQUESTS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "openai-server");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        OpenAiServer server = new OpenAiServer(http, pool, new ContinuousBatcher(sampler, limits), modelName);
        http.createContext("/", server::handle);
        http.setExecutor(pool);
        http.start();
        LOG.info("serving '{}' at {}", modelName, server.baseUri());
        return server;
    }

    /** The batcher that decodes the requests (its stats tell how they were batched). */
    public ContinuousBatcher batcher() {
        return batcher;
    }

    public int port() {
        return http.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:PORT} (without {@code /v1}). */
    public URI baseUri() {
        return URI.create("http://" + http.getAddress().getAddress().getHostAddress() + ":" + port());
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getPath();
        String path = rawPath.endsWith("/") && rawPath.length() > 1 ? rawPath.substring(0, rawPath.length() - 1) : rawPath;
        int status = 200;
        JsonNode response;
        try {
            if (path.startsWith("/v1/models/")) {
                requireMethod(method, "GET", path);
                response = api.model(path.substring("/v1/models/".length()));
            } else {
                response = switch (path) {
                    case "/v1/models" -> {
                        requireMethod(method, "GET", path);
                        yield api.models();
                    }
                    case "/v1/completions" -> generate(() -> api.completions(body(method, path, exchange)), exchange);
                    case "/v1/chat/completions" -> generate(() -> api.chat(body(method, path, exchange)), exchange);
                    case "/health" -> json.createObjectNode().put("status", "ok");
                    case "/update_weights_from_disk" -> {
                        JsonNode req = body(method, path, exchange);
                        ObjectNode answer = updateWeightsFromDisk(req);
                        if (!answer.path("success").asBoolean()) status = 400;
                        yield answer;
                    }
                    case "/v1/load_lora_adapter", "/v1/unload_lora_adapter" -> {
                        JsonNode req = body(method, path, exchange);
                        yield loraRoute(path.endsWith("/load_lora_adapter"), req, exchange);
                    }
                    case "/get_model_info" -> {
                        requireMethod(method, "GET", path);
                        ObjectNode info = json.createObjectNode().put("model_path", modelPath).put("is_generation", true);
                        yield weightVersion == null ? info : info.put("weight_version", weightVersion);
                    }
                    default -> throw new ApiException(404, "invalid_request_error",
                            "Unknown route: " + method + " " + path, null, "unknown_url");
                };
            }
        } catch (ApiException e) {
            status = e.status;
            response = error(e.getMessage(), e.type, e.param, e.code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = 503;
            response = error("the server is shutting down", "server_error", null, null);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            status = 500;
            response = error("internal error: " + e.getMessage(), "server_error", null, null);
        }
        if (response == null) return; // streamed
        byte[] bytes = json.writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** A request's generation, started while the weights lock is held. */
    @FunctionalInterface
    private interface GenerationStart {
        Generation start() throws IOException;
    }

    /**
     * The whole response, or null after streaming it as server-sent events; the weights do not change from the
     * request's start to its last token.
     */
    private JsonNode generate(GenerationStart start, HttpExchange exchange) throws IOException, InterruptedException {
        weights.readLock().lockInterruptibly();
        try {
            return generate(start.start(), exchange);
        } finally {
            weights.readLock().unlock();
        }
    }

    /**
     * SGLang's {@code POST /update_weights_from_disk} with {@code {"model_path": DIR}} (and optionally SGLang's
     * {@code weight_version} label): waits for the requests in flight to finish (new ones wait meanwhile), then
     * loads the checkpoint in place. Answers SGLang's {@code {"success", "message", "num_paused_requests"}}; a
     * rejected load leaves the served weights as they were.
     */
    private ObjectNode updateWeightsFromDisk(JsonNode req) throws InterruptedException {
        JsonNode path = req.get("model_path");
        if (path == null || !path.isTextual() || path.asText().isBlank()) {
            throw ApiException.invalid("model_path", "'model_path' (the checkpoint directory to load) is required");
        }
        ObjectNode answer = json.createObjectNode();
        weights.writeLock().lockInterruptibly();
        try {
            synchronized (batcher.sampler()) { // no decoding step runs while the parameters change
                WeightReload.loadInto(batcher.sampler().model(), java.nio.file.Path.of(path.asText()));
            }
            modelPath = path.asText();
            weightVersion = req.hasNonNull("weight_version") ? req.get("weight_version").asText() : null;
            LOG.info("loaded weights from {}", modelPath);
            answer.put("success", true).put("message", "Succeeded to update model weights.");
        } catch (RuntimeException e) { // checked before the first parameter changes: the old weights still serve
            answer.put("success", false).put("message", "Failed to update weights: " + e.getMessage());
        } finally {
            weights.writeLock().unlock();
        }
        return answer.put("num_paused_requests", 0);
    }

    /** vLLM's LoRA routes (see {@link LoraSlot}); they answer plain text on success, as vLLM does. */
    private JsonNode loraRoute(boolean load, JsonNode req, HttpExchange exchange) throws IOException, InterruptedException {
        JsonNode name = req.get("lora_name");
        if (name == null || !name.isTextual() || name.asText().isBlank()) {
            throw ApiException.invalid("lora_name", "'lora_name' is required");
        }
        JsonNode path = req.get("lora_path");
        if (load && (path == null || !path.isTextual() || path.asText().isBlank())) {
            throw ApiException.invalid("lora_path", "'lora_path' (the adapter directory) is required");
        }
        weights.writeLock().lockInterruptibly();
        try {
            if (load) lora.load(name.asText(), java.nio.file.Path.of(path.asText()));
            else lora.unload(name.asText());
        } finally {
            weights.writeLock().unlock();
        }
        String text = "Success: LoRA adapter '" + name.asText() + "' " + (load ? "added" : "removed") + " successfully.";
        LOG.info(text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
        return null;
    }

    /** The whole response, or null after streaming it as server-sent events. */
    private JsonNode generate(Generation g, HttpExchange exchange) throws IOException, InterruptedException {
        if (!g.streaming()) return g.response();
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        exchange.sendResponseHeaders(200, 0); // chunked
        OutputStream out = exchange.getResponseBody();
        try {
            try {
                g.stream(chunk -> {
                    out.write(("data: " + json.writeValueAsString(chunk) + "\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                });
            } catch (ApiException e) { // the generation failed after the 200 went out: an error event, as vLLM sends
                out.write(("data: " + json.writeValueAsString(error(e.getMessage(), e.type, e.param, e.code)) + "\n\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            out.write(DONE);
            out.flush();
        } catch (IOException e) {
            LOG.debug("a streaming client went away; cancelling its request", e);
            g.cancel();
        } finally {
            try {
                out.close();
            } catch (IOException ignored) {
                // the client is gone
            }
        }
        return null;
    }

    private JsonNode body(String method, String path, HttpExchange exchange) throws IOException {
        requireMethod(method, "POST", path);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "invalid_request_error", "request body larger than " + MAX_BODY_BYTES + " bytes",
                    null, null);
        }
        try {
            return json.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_request_error",
                    "the request body is not valid JSON: " + e.getOriginalMessage(), null, "invalid_json");
        }
    }

    private static void requireMethod(String method, String expected, String path) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "invalid_request_error",
                    "Method " + method + " not allowed on " + path + "; use " + expected, null, "method_not_allowed");
        }
    }

    private ObjectNode error(String message, String type, String param, String code) {
        ObjectNode out = json.createObjectNode();
        ObjectNode e = out.putObject("error").put("message", message).put("type", type);
        if (param == null) e.putNull("param"); else e.put("param", param);
        if (code == null) e.putNull("code"); else e.put("code", code);
        return out;
    }

    /** Stops accepting requests, fails those still decoding, and waits briefly for their threads. */
    @Override
    public void close() {
        http.stop(0);
        batcher.close();
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
