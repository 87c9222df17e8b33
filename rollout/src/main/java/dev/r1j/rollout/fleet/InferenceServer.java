package dev.r1j.rollout.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.rollout.RemoteSampler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One server of a {@link FleetSampler}: its HTTP calls (model list, weight loads, completions through a
 * {@link RemoteSampler}) and the fleet's book-keeping about it. The book-keeping fields are guarded by the fleet's
 * lock; the HTTP calls block and are made without it.
 */
final class InferenceServer {
    /** The weight version of a server whose weights are not known (not yet loaded, or it was out and may have restarted). */
    static final long UNKNOWN = -2;

    final String url;
    final RemoteSampler remote;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    // guarded by FleetSampler.lock
    int outstanding;
    int consecutiveFailures;
    boolean out;
    boolean loading;
    long version = UNKNOWN;
    String adapter;
    String lastError;
    long dispatched;

    InferenceServer(String url, String model, Duration timeout) {
        this.url = url;
        this.remote = new RemoteSampler(URI.create(url), model, null, timeout);
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** The model ids of {@code GET /v1/models}. */
    List<String> models(Duration timeout) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/models")).timeout(timeout)
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IOException("GET " + url + "/v1/models -> " + r.statusCode() + ": " + abbreviate(r.body()));
        }
        List<String> ids = new ArrayList<>();
        try {
            for (JsonNode m : json.readTree(r.body()).path("data")) ids.add(m.path("id").asText());
        } catch (IOException e) {
            throw new IOException("GET " + url + "/v1/models answered no JSON: " + abbreviate(r.body()));
        }
        return ids;
    }

    /**
     * Tells the server to load the weights in {@code dir}, SGLang's way ({@code POST /update_weights_from_disk}) or
     * vLLM's LoRA way (unload the previous adapter, {@code POST /v1/load_lora_adapter} as {@code adapterName}).
     *
     * @throws WeightLoadException with the server's answer when it refuses or cannot be reached
     */
    void load(RolloutOptions.WeightSync api, Path dir, long version, String adapterName, Duration timeout) {
        switch (api) {
            case SGLANG -> post("/update_weights_from_disk", json.createObjectNode()
                    .put("model_path", dir.toAbsolutePath().toString()).put("weight_version", Long.toString(version))
                    .toString(), timeout, true);
            case VLLM_LORA -> {
                if (adapter != null) {
                    try { // a server that restarted has no adapter to unload: its refusal changes nothing
                        post("/v1/unload_lora_adapter", json.createObjectNode().put("lora_name", adapter).toString(),
                                timeout, false);
                    } catch (WeightLoadException ignored) {
                        // the load below says whether the server is usable
                    }
                }
                post("/v1/load_lora_adapter", json.createObjectNode().put("lora_name", adapterName)
                        .put("lora_path", dir.toAbsolutePath().toString()).toString(), timeout, false);
            }
            case NONE -> throw new IllegalStateException("weight_sync: none loads nothing");
        }
    }

    private void post(String route, String body, Duration timeout, boolean sglangAnswer) {
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(URI.create(url + route)).timeout(timeout)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new WeightLoadException("POST " + url + route + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeightLoadException("POST " + url + route + " interrupted");
        }
        boolean ok = r.statusCode() / 100 == 2;
        if (ok && sglangAnswer) { // SGLang answers {"success": false, "message": ...} on a failed load
            try {
                JsonNode a = json.readTree(r.body());
                ok = a.path("success").asBoolean(true);
            } catch (IOException e) {
                ok = false;
            }
        }
        if (!ok) throw new WeightLoadException("POST " + url + route + " -> " + r.statusCode() + ": " + abbreviate(r.body()));
    }

    static String abbreviate(String s) {
        String one = s.replaceAll("\\s+", " ").trim();
        return one.length() > 400 ? one.substring(0, 400) + "…" : one;
    }

    /** A server refused, or could not be asked, to load weights; the message has its answer. */
    static final class WeightLoadException extends UncheckedIOException {
        WeightLoadException(String message) {
            super(message, new IOException(message));
        }
    }
}
