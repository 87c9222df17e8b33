package dev.r1j.rollout.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OpenAI-compatible HTTP server on the loopback interface: {@code GET /v1/models},
 * {@code POST /v1/completions} and {@code POST /v1/chat/completions} with {@code n}, {@code temperature},
 * {@code top_p}, {@code top_k}, {@code max_tokens}, {@code stop}, {@code seed} and {@code logprobs}.
 * Each choice also carries {@code token_ids}, {@code prompt_token_ids} and {@code stop_reason} (vLLM's names).
 * Streaming is not supported. A bad request gets OpenAI's error shape
 * {@code {"error": {"message", "type", "param", "code"}}} with a 4xx status, and the server keeps serving.
 *
 * <p>Generation is serialised by the sampler (one model); other requests, such as {@code /v1/models}, are served
 * meanwhile by a small thread pool.
 *
 * <pre>{@code
 * try (OpenAiServer server = OpenAiServer.start(new LocalSampler(model, tok), tok, "toy", 0)) {
 *     URI base = server.baseUri();   // http://127.0.0.1:PORT
 * }
 * }</pre>
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    static final int MAX_BODY_BYTES = 16 << 20;

    private final HttpServer http;
    private final ExecutorService pool;
    private final CompletionsApi api;
    private final ObjectMapper json = new ObjectMapper();

    private OpenAiServer(HttpServer http, ExecutorService pool, CompletionsApi api) {
        this.http = http;
        this.pool = pool;
        this.api = api;
    }

    /**
     * Starts serving on {@code 127.0.0.1:port} ({@code port} 0 picks a free port; see {@link #port()}).
     *
     * @param tokenizer renders chat messages and the per-token strings of {@code logprobs}
     * @param modelName the id listed by {@code /v1/models}; a request naming another model gets a 404
     */
    public static OpenAiServer start(Sampler sampler, Tokenizer tokenizer, String modelName, int port) {
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(modelName, "modelName");
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
            ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "openai-server");
                t.setDaemon(true);
                return t;
            });
            OpenAiServer server = new OpenAiServer(http, pool, new CompletionsApi(sampler, tokenizer, modelName));
            http.createContext("/", server::handle);
            http.setExecutor(pool);
            http.start();
            LOG.info("serving '{}' at {}", modelName, server.baseUri());
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
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
        String path = exchange.getRequestURI().getPath();
        if (path.endsWith("/") && path.length() > 1) path = path.substring(0, path.length() - 1);
        int status = 200;
        JsonNode response;
        try {
            response = switch (path) {
                case "/v1/models" -> {
                    requireMethod(method, "GET", path);
                    yield api.models();
                }
                case "/v1/completions" -> post(method, path, exchange, api::completions);
                case "/v1/chat/completions" -> post(method, path, exchange, api::chat);
                case "/health" -> json.createObjectNode().put("status", "ok");
                default -> throw new ApiException(404, "invalid_request_error",
                        "Unknown route: " + method + " " + path, null, "unknown_url");
            };
        } catch (ApiException e) {
            status = e.status;
            response = error(e.getMessage(), e.type, e.param, e.code);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            status = 500;
            response = error("internal error: " + e, "server_error", null, null);
        }
        byte[] bytes = json.writeValueAsBytes(response);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private JsonNode post(String method, String path, HttpExchange exchange, Function<JsonNode, JsonNode> endpoint)
            throws IOException {
        requireMethod(method, "POST", path);
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            throw new ApiException(413, "invalid_request_error", "request body larger than " + MAX_BODY_BYTES + " bytes",
                    null, null);
        }
        JsonNode parsed;
        try {
            parsed = json.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "invalid_request_error",
                    "the request body is not valid JSON: " + e.getOriginalMessage(), null, "invalid_json");
        }
        return endpoint.apply(parsed);
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

    /** Stops accepting requests and waits briefly for those in flight. */
    @Override
    public void close() {
        http.stop(0);
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
