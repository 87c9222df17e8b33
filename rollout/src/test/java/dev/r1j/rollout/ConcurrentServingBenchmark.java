package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.rollout.server.OpenAiServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What continuous batching buys {@code recipe serve}: N concurrent HTTP clients (N = 1, 4, 8), each sending
 * {@code REQUESTS} completions one after another ({@code n = 1}, {@value #NEW_TOKENS} tokens forced: the tokenizer has
 * no EOS), against the same N x REQUESTS requests sent one at a time; aggregate generated tokens per second and their
 * ratio. Same llama as {@link DecodeThroughputBenchmark} (hidden 256, 4 layers). Not a test:
 * {@code mvn -B -Pbench -pl rollout -am test -Dtest=ConcurrentServingBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * -Dai.djl.pytorch.num_threads=1}
 */
class ConcurrentServingBenchmark {
    static final int NEW_TOKENS = 128;
    static final int REQUESTS = 2;
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void concurrentClientsVersusOneAtATime() throws Exception {
        TestCharTokenizer tok = DecodeThroughputBenchmark.tokenizer();
        List<String> prompts = DecodeThroughputBenchmark.prompts(tok);
        ModelConfig config = ModelConfig.llama(DecodeThroughputBenchmark.VOCAB, DecodeThroughputBenchmark.HIDDEN,
                DecodeThroughputBenchmark.INTERMEDIATE, DecodeThroughputBenchmark.LAYERS, DecodeThroughputBenchmark.HEADS,
                DecodeThroughputBenchmark.HEADS, 1024);
        try (NDManager m = Djl.newManager(); Transformer model = Transformer.create(config, m, 3);
                OpenAiServer server = OpenAiServer.start(new LocalSampler(model, tok), "bench", 0,
                        ContinuousBatcher.Limits.defaults())) {
            HttpClient http = HttpClient.newHttpClient();
            URI uri = URI.create(server.baseUri() + "/v1/completions");
            post(http, uri, prompts.get(0), 16); // warm-up
            System.out.printf("ConcurrentServingBenchmark: %d requests per client, %d new tokens each, n=1%n", REQUESTS,
                    NEW_TOKENS);
            for (int clients : new int[] {1, 4, 8}) {
                long t0 = System.nanoTime();
                long sequentialTokens = 0;
                for (int c = 0; c < clients; c++) {
                    for (int r = 0; r < REQUESTS; r++) sequentialTokens += post(http, uri, prompts.get((c + r) % 4), NEW_TOKENS);
                }
                double sequential = sequentialTokens / ((System.nanoTime() - t0) / 1e9);

                ContinuousBatcher.Stats before = server.batcher().stats();
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                List<Future<Long>> futures = new ArrayList<>();
                long t1 = System.nanoTime();
                for (int c = 0; c < clients; c++) {
                    int client = c;
                    futures.add(pool.submit(() -> {
                        long tokens = 0;
                        for (int r = 0; r < REQUESTS; r++) tokens += post(http, uri, prompts.get((client + r) % 4), NEW_TOKENS);
                        return tokens;
                    }));
                }
                long concurrentTokens = 0;
                for (Future<Long> f : futures) concurrentTokens += f.get();
                double concurrent = concurrentTokens / ((System.nanoTime() - t1) / 1e9);
                pool.shutdown();
                ContinuousBatcher.Stats after = server.batcher().stats();
                assertEquals(sequentialTokens, concurrentTokens);
                long steps = after.steps() - before.steps();
                System.out.printf("  N=%d: one at a time %.0f tokens/s, concurrent %.0f tokens/s, ratio %.2f;"
                                + " %.1f rows per decode step on average%n", clients, sequential, concurrent,
                        concurrent / sequential, (after.rowSteps() - before.rowSteps()) / (double) Math.max(1, steps));
            }
        }
    }

    /** One completion; returns its number of generated tokens. */
    static long post(HttpClient http, URI uri, String prompt, int maxTokens) throws Exception {
        String body = JSON.createObjectNode().put("prompt", prompt).put("max_tokens", maxTokens).put("temperature", 1.0)
                .toString();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode usage = JSON.readTree(r.body()).get("usage");
        return usage.get("completion_tokens").asLong();
    }
}
