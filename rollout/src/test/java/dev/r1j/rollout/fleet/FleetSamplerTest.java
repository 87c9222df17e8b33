package dev.r1j.rollout.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.sun.net.httpserver.HttpServer;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.CompletionLogProbs;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.LoraConfig;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.rollout.ContinuousBatcher;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.server.OpenAiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FleetSampler} against real {@link OpenAiServer}s on loopback ports, each over its own tiny llama (started on
 * other weights than the trainer's), plus stub servers for the faults a real one does not show on demand.
 */
class FleetSamplerTest {
    static final CharTokenizer TOK = new CharTokenizer("abcdefghijklmnopqrstuvwxyz0123456789+=: \n", null);
    static final ModelConfig CONFIG = ModelConfig.tinyLlama(TOK.vocabSize());
    static final List<String> PROMPTS = List.of("12+7=", "3+4=", "abc", "9+9=", "hello ", "1+1=");
    static NDManager root;

    @TempDir
    Path tmp;
    final List<AutoCloseable> open = new ArrayList<>();
    final StringWriter said = new StringWriter();
    final PrintWriter log = new PrintWriter(said, true);

    @BeforeAll
    static void engine() {
        System.setProperty("r1j.fsync", "false");
        root = Djl.newManager();
    }

    @AfterAll
    static void free() {
        root.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) open.get(i).close();
    }

    /** A tiny llama with peaked next-token distributions (weights scaled up from the init). */
    static Transformer model(long seed) {
        try (Transformer init = Transformer.create(CONFIG, root, seed)) {
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : init.parameters().entrySet()) {
                scaled.put(e.getKey(), e.getKey().endsWith("norm.weight") ? e.getValue().duplicate() : e.getValue().mul(25));
            }
            return Transformer.fromParameters(CONFIG, root, scaled);
        }
    }

    record Served(OpenAiServer server, Transformer model) implements AutoCloseable {
        @Override
        public void close() {
            server.close();
            model.close();
        }
    }

    Served serve(long seed, int port) {
        Transformer m = model(seed);
        Served s = new Served(OpenAiServer.start(new LocalSampler(m, TOK), "tiny", port,
                ContinuousBatcher.Limits.defaults()), m);
        open.add(s);
        return s;
    }

    FleetSampler fleet(List<String> urls, double timeoutS, RolloutOptions.WeightSync sync) {
        RolloutOptions o = new RolloutOptions(urls, null, 4, timeoutS, 2, 0.2, 1, null, sync);
        FleetSampler f = FleetSampler.open(o, "tiny", tmp.resolve("sync"), log);
        open.add(f);
        return f;
    }

    static SamplingParams params(long seed, int maxTokens) {
        return new SamplingParams(2, maxTokens, 1.0, 1.0, 0, List.of(), seed);
    }

    /** The trainer's log-probs of each completion token, as GRPO computes them (temperature 1). */
    static float[] trainerLogprobs(Transformer policy, CompletionGroup g, Completion c) {
        int p = g.promptTokenIds().length, n = c.tokenIds().length;
        long[] ids = new long[p + n];
        long[] att = new long[p + n];
        for (int i = 0; i < p; i++) ids[i] = g.promptTokenIds()[i];
        for (int i = 0; i < n; i++) ids[p + i] = c.tokenIds()[i];
        java.util.Arrays.fill(att, 1);
        try (NDManager m = root.newSubManager()) {
            NDArray lp = CompletionLogProbs.constant(policy, m.create(ids).reshape(1, -1), m.create(att).reshape(1, -1),
                    p, 1.0, m);
            return lp.toFloatArray();
        }
    }

    static double maxDiff(Transformer policy, List<CompletionGroup> groups) {
        double max = 0;
        for (CompletionGroup g : groups) {
            for (Completion c : g.completions()) {
                float[] want = trainerLogprobs(policy, g, c);
                assertNotNull(c.logprobs(), "server log-probs are kept");
                assertEquals(want.length, c.logprobs().length);
                for (int k = 0; k < want.length; k++) max = Math.max(max, Math.abs(want[k] - c.logprobs()[k]));
            }
        }
        return max;
    }

    static void assertWhole(List<CompletionGroup> groups, List<String> prompts, long version) {
        assertEquals(prompts.size(), groups.size());
        for (int i = 0; i < prompts.size(); i++) {
            assertEquals(prompts.get(i), groups.get(i).prompt(), "group " + i + " is its prompt's");
            assertEquals(2, groups.get(i).completions().size());
            for (Completion c : groups.get(i).completions()) assertEquals(version, c.weightVersion());
        }
    }

    @Test
    void pushedWeightsAreServedAndTheServedLogprobsAreTheTrainers() {
        Served a = serve(11, 0), b = serve(12, 0);
        try (Transformer policy = model(1)) {
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString(), b.server().baseUri() + "/v1"), 60,
                    RolloutOptions.WeightSync.SGLANG);
            FleetSampler.SyncReport r0 = fleet.publish(policy, TOK, 0);
            assertEquals(2, r0.loaded());
            List<CompletionGroup> g0 = fleet.sample(PROMPTS, params(5, 12));
            assertWhole(g0, PROMPTS, 0);
            assertTrue(maxDiff(policy, g0) < 1e-4, "served log-probs after a sync = the trainer's: " + maxDiff(policy, g0));
            assertTrue(a.server().batcher().stats().requests() > 0 && b.server().batcher().stats().requests() > 0,
                    "both servers served groups");

            // an update: the servers must follow, and the old log-probs must no longer match
            for (NDArray p : policy.parameters().values()) p.muli(1.05f);
            assertTrue(maxDiff(policy, g0) > 1e-3, "the update changes the log-probs (so the check above can fail)");
            FleetSampler.SyncReport r1 = fleet.publish(policy, TOK, 1);
            assertEquals(2, r1.loaded());
            List<CompletionGroup> g1 = fleet.sample(PROMPTS, params(6, 12));
            assertWhole(g1, PROMPTS, 1);
            assertTrue(maxDiff(policy, g1) < 1e-4, "after the second sync: " + maxDiff(policy, g1));
            try (var dirs = Files.list(tmp.resolve("sync"))) {
                assertEquals(List.of("step-000001"), dirs.map(d -> d.getFileName().toString()).toList(),
                        "older versions are deleted once loaded");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aServerKilledMidBatchLeavesTheBatchWholeOnTheOther() throws Exception {
        Served a = serve(11, 0), b = serve(12, 0);
        try (Transformer policy = model(1)) {
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString(), b.server().baseUri().toString()), 60,
                    RolloutOptions.WeightSync.SGLANG);
            fleet.publish(policy, TOK, 0);
            List<String> prompts = new ArrayList<>();
            for (int i = 0; i < 16; i++) prompts.add(i + "+" + (i * 7 % 10) + "=");
            CompletableFuture<List<CompletionGroup>> batch = CompletableFuture.supplyAsync(
                    () -> fleet.sample(prompts, params(9, 40)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (a.server().batcher().stats().steps() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            a.server().close(); // mid-step: its requests in flight fail
            List<CompletionGroup> groups = batch.get(120, TimeUnit.SECONDS);
            assertWhole(groups, prompts, 0);
            assertTrue(maxDiff(policy, groups) < 1e-4);
            assertTrue(said.toString().contains("taken out"), said.toString());

            // the same batch on the survivor alone: same seeds per group, so the same completions (none lost,
            // none doubled, none swapped between groups)
            List<CompletionGroup> again = fleet.sample(prompts, params(9, 40));
            for (int i = 0; i < prompts.size(); i++) {
                for (int j = 0; j < 2; j++) {
                    assertArrayEquals(again.get(i).completions().get(j).tokenIds(),
                            groups.get(i).completions().get(j).tokenIds(), "group " + i + " completion " + j);
                }
            }
        }
    }

    @Test
    void aServerThatComesBackLoadsTheCurrentWeightsBeforeItServes() throws Exception {
        Served a = serve(11, 0), b = serve(12, 0);
        int portA = a.server().port();
        try (Transformer policy = model(1)) {
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString(), b.server().baseUri().toString()), 60,
                    RolloutOptions.WeightSync.SGLANG);
            fleet.publish(policy, TOK, 0);
            a.close();
            fleet.sample(PROMPTS, params(3, 8)); // a's failures take it out; b serves all
            assertEquals(1, fleet.stats().serversIn(), said.toString());
            for (NDArray p : policy.parameters().values()) p.muli(1.05f);
            fleet.publish(policy, TOK, 1); // only b is in
            Served back = serve(13, portA); // restarted on its start weights (seed 13), same address
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (fleet.stats().serversCurrent() < 2 && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(2, fleet.stats().serversCurrent(), said.toString());
            assertTrue(said.toString().contains("is back with the weights of step 1"), said.toString());
            for (Map.Entry<String, NDArray> e : policy.parameters().entrySet()) {
                assertArrayEquals(e.getValue().toFloatArray(), back.model().parameters().get(e.getKey()).toFloatArray(),
                        e.getKey());
            }
            List<CompletionGroup> groups = fleet.sample(PROMPTS, params(4, 12));
            assertWhole(groups, PROMPTS, 1);
            assertTrue(maxDiff(policy, groups) < 1e-4);
            assertTrue(back.server().batcher().stats().requests() > 0, "the returned server serves again");
        }
    }

    @Test
    void aSlowServerIsRetriedElsewhereAndARefusedRequestFailsTheBatchNamingTheServer() throws Exception {
        Served b = serve(12, 0);
        HttpServer slow = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        slow.createContext("/v1/models", ex -> reply(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"tiny\"}]}"));
        slow.createContext("/v1/completions", ex -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            reply(ex, 200, "{}");
        });
        slow.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        slow.start();
        open.add(() -> slow.stop(0));
        String slowUrl = "http://127.0.0.1:" + slow.getAddress().getPort();
        FleetSampler fleet = fleet(List.of(slowUrl, b.server().baseUri().toString()), 1.0,
                RolloutOptions.WeightSync.NONE);
        List<CompletionGroup> groups = fleet.sample(PROMPTS, params(3, 8));
        assertWhole(groups, PROMPTS, 0);
        assertTrue(fleet.stats().retries() > 0);
        assertTrue(said.toString().contains("rollout server " + slowUrl + " taken out"), said.toString());

        String longPrompt = "1+".repeat(200); // over the tiny llama's 128-token context: every server says 400
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> fleet.sample(List.of("1+1=", longPrompt), params(3, 8)));
        assertTrue(e.getMessage().contains(b.server().baseUri().toString()) && e.getMessage().contains("400")
                && e.getMessage().contains("context"), e.getMessage());
        assertFalse(e instanceof FleetUnavailableException);
        assertFalse(said.toString().contains("rollout server " + b.server().baseUri() + " taken out"),
                "a refused request does not count against the server: " + said);
    }

    @Test
    void badInputIsNamedBeforeAnyWork() throws Exception {
        Served a = serve(11, 0);
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        String deadUrl = "http://127.0.0.1:" + dead;
        IllegalArgumentException unreachable = assertThrows(IllegalArgumentException.class,
                () -> fleet(List.of(a.server().baseUri().toString(), deadUrl), 5, RolloutOptions.WeightSync.SGLANG));
        assertTrue(unreachable.getMessage().contains("rollout server " + deadUrl + " is unreachable: GET " + deadUrl
                + "/v1/models failed 3 times"), unreachable.getMessage());

        RolloutOptions o = new RolloutOptions(List.of(a.server().baseUri().toString()), null, 4, 5, 2, 0.2, 1, null,
                RolloutOptions.WeightSync.SGLANG);
        IllegalArgumentException otherModel = assertThrows(IllegalArgumentException.class,
                () -> FleetSampler.open(o, "qwen", tmp.resolve("sync"), log));
        assertTrue(otherModel.getMessage().contains("serves [tiny], not 'qwen'"), otherModel.getMessage());

        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        IllegalArgumentException notWritable = assertThrows(IllegalArgumentException.class,
                () -> FleetSampler.open(o, "tiny", file.resolve("sync"), log));
        assertTrue(notWritable.getMessage().startsWith("rollout.sync_dir " + file.resolve("sync") + " is not writable"),
                notWritable.getMessage());
        assertEquals(0, a.server().batcher().stats().requests(), "no work was sent");
    }

    @Test
    void aServerThatRejectsTheWeightsIsNamedWithItsAnswerAndNotSampledFrom() {
        Served a = serve(11, 0);
        // another architecture under the same name: its load of the trainer's weights must fail
        ModelConfig wide = ModelConfig.tinyLlama(TOK.vocabSize() + 3);
        Transformer other = Transformer.create(wide, root, 5);
        Served b = new Served(OpenAiServer.start(new LocalSampler(other, TOK), "tiny", 0,
                ContinuousBatcher.Limits.defaults()), other);
        open.add(b);
        try (Transformer policy = model(1)) {
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString(), b.server().baseUri().toString()), 60,
                    RolloutOptions.WeightSync.SGLANG);
            FleetSampler.SyncReport r = fleet.publish(policy, TOK, 0);
            assertEquals(1, r.loaded());
            String out = said.toString();
            assertTrue(out.contains("rollout server " + b.server().baseUri() + " did not load the weights of step 0: "
                    + "POST " + b.server().baseUri() + "/update_weights_from_disk -> 400"), out);
            assertTrue(out.contains("vocab " + (TOK.vocabSize() + 3)), "its answer says why: " + out);
            List<CompletionGroup> groups = fleet.sample(PROMPTS, params(2, 8));
            assertWhole(groups, PROMPTS, 0);
            assertEquals(0, b.server().batcher().stats().requests(), "the server without the weights got no request");

            // when every server rejects, the push fails naming them
            FleetSampler alone = fleet(List.of(b.server().baseUri().toString()), 60, RolloutOptions.WeightSync.SGLANG);
            FleetUnavailableException e = assertThrows(FleetUnavailableException.class,
                    () -> alone.publish(policy, TOK, 0));
            assertTrue(e.getMessage().contains(b.server().baseUri() + "/update_weights_from_disk -> 400"), e.getMessage());
        }
    }

    @Test
    void vllmLoraPushesAdaptersThatTheServersServeUnderTheirNewName() throws Exception {
        Served a = serve(1, 0), b = serve(1, 0); // the servers run the trainer's base weights
        try (Transformer policy = model(1);
             LoraAdapters adapters = LoraAdapters.create(policy, new LoraConfig(4, 8, 0, List.of("all-linear"), false), 3)) {
            policy.setAdapters(adapters);
            for (NDArray p : adapters.parameters().values()) p.addi(p.getManager().randomNormal(0, 0.2f, p.getShape(), p.getDataType()));
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString(), b.server().baseUri().toString()), 60,
                    RolloutOptions.WeightSync.VLLM_LORA);
            fleet.publish(policy, TOK, 0);
            List<CompletionGroup> g0 = fleet.sample(PROMPTS, params(5, 12));
            assertWhole(g0, PROMPTS, 0);
            assertTrue(maxDiff(policy, g0) < 1e-4, "served with the adapter = the trainer's: " + maxDiff(policy, g0));
            for (NDArray p : adapters.parameters().values()) p.muli(1.5f);
            assertTrue(maxDiff(policy, g0) > 1e-3, "the adapter update changes the log-probs");
            fleet.publish(policy, TOK, 1); // unload tiny-r1j-step-0, load tiny-r1j-step-1
            List<CompletionGroup> g1 = fleet.sample(PROMPTS, params(6, 12));
            assertWhole(g1, PROMPTS, 1);
            assertTrue(maxDiff(policy, g1) < 1e-4, "after the second push: " + maxDiff(policy, g1));
            String models = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(a.server().baseUri() + "/v1/models")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(models.contains("\"tiny-r1j-step-1\"") && !models.contains("tiny-r1j-step-0"), models);
            policy.setAdapters(null);
        }
    }

    @Test
    void vllmLoraRefusesAPolicyWithoutAdapters() {
        Served a = serve(1, 0);
        try (Transformer policy = model(1)) {
            FleetSampler fleet = fleet(List.of(a.server().baseUri().toString()), 60, RolloutOptions.WeightSync.VLLM_LORA);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fleet.publish(policy, TOK, 0));
            assertTrue(e.getMessage().contains("vllm_lora pushes LoRA adapters, but the policy has none"), e.getMessage());
        }
    }

    private static void reply(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws java.io.IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (var out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
