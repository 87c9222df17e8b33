package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Episode;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.fleet.FleetSampler;
import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.rollout.server.OpenAiServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Multi-turn episodes on {@code recipe serve}'s server over HTTP on localhost ({@link RemoteEpisodes} through
 * {@link RemoteSampler#withTools} and {@link FleetSampler#withTools}), on {@link MultiTurnSamplingTest}'s scripted
 * model and the real calculator: greedy episodes equal the local sampler's token for token (ids, text, observation
 * marks, counts, finish reasons), and at temperature 1 the server's log-probs of every model token equal the
 * trainer's over the interleaved sequence within 1e-4, observation tokens carrying 0.
 */
class RemoteEpisodesTest {
    @RootManager static NDManager root;
    @TempDir Path tmp;

    private static final List<String> PROMPTS = List.of("q", "r", "qq");

    @Test
    void greedyEpisodesFromTheServerEqualTheLocalSamplers() throws Exception {
        try (NDManager m = root.newSubManager(); BigramBiasLM model = MultiTurnSamplingTest.model(ModelConfig.tinyLlama(
                MultiTurnSamplingTest.V), m);
                ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(40))) {
            OpenAiServer server = OpenAiServer.start(new LocalSampler(model, MultiTurnSamplingTest.TOK), "tiny", 0,
                    ContinuousBatcher.Limits.defaults());
            StringWriter log = new StringWriter();
            RolloutOptions o = new RolloutOptions(List.of(server.baseUri().toString()), null, 4, 60, 2, 0.2, 1, null,
                    RolloutOptions.WeightSync.NONE);
            try (FleetSampler fleet = FleetSampler.open(o, "tiny", tmp.resolve("sync"), new PrintWriter(log, true))) {
                SamplingParams greedy = new SamplingParams(2, 12, 0.0, 1.0, 0, List.of(), 5);
                List<CompletionGroup> local = new LocalSampler(model, MultiTurnSamplingTest.TOK).withTools(tools)
                        .sample(PROMPTS, greedy);
                Sampler remote = new RemoteSampler(server.baseUri(), "tiny", null).withTools(tools,
                        MultiTurnSamplingTest.TOK);
                Sampler onFleet = fleet.withTools(tools, MultiTurnSamplingTest.TOK);
                int calls = 0;
                for (Sampler s : List.of(remote, onFleet)) {
                    List<CompletionGroup> got = s.sample(PROMPTS, greedy);
                    for (int p = 0; p < PROMPTS.size(); p++) {
                        assertArrayEquals(local.get(p).promptTokenIds(), got.get(p).promptTokenIds());
                        for (int j = 0; j < greedy.groupSize(); j++) {
                            Completion want = local.get(p).completions().get(j), c = got.get(p).completions().get(j);
                            String where = PROMPTS.get(p) + " #" + j + ": " + c.text();
                            assertArrayEquals(want.tokenIds(), c.tokenIds(), where);
                            assertEquals(want.text(), c.text(), where);
                            assertEquals(want.finishReason(), c.finishReason(), where);
                            assertArrayEquals(want.logprobs(), c.logprobs(), 1e-4f, where);
                            assertArrayEquals(want.episode().observation(), c.episode().observation(), where);
                            assertEquals(List.of(want.episode().turns(), want.episode().toolCalls(),
                                            want.episode().toolErrors(), want.episode().toolTimeouts()),
                                    List.of(c.episode().turns(), c.episode().toolCalls(), c.episode().toolErrors(),
                                            c.episode().toolTimeouts()), where);
                            assertEquals(want.episode().reward(), c.episode().reward(), where);
                            calls += c.episode().toolCalls();
                            if (s == onFleet) assertEquals(0, c.weightVersion(), "weight_sync none: version 0");
                        }
                    }
                    assertEquals(MultiTurnSamplingTest.SCRIPTED, got.get(0).completions().get(0).text());
                }
                assertTrue(calls >= 4, "the q rows call the calculator: " + calls);
            } finally {
                server.close();
            }
        }
    }

    @Test
    void theServersLogprobsOfModelTokensEqualTheTrainersAtTemperatureOne() throws Exception {
        try (NDManager m = root.newSubManager(); BigramBiasLM model = MultiTurnSamplingTest.model(ModelConfig.tinyLlama(
                MultiTurnSamplingTest.V), m);
                ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(40))) {
            OpenAiServer server = OpenAiServer.start(new LocalSampler(model, MultiTurnSamplingTest.TOK), "tiny", 0,
                    ContinuousBatcher.Limits.defaults());
            try {
                Sampler remote = new RemoteSampler(server.baseUri(), "tiny", null).withTools(tools,
                        MultiTurnSamplingTest.TOK);
                List<CompletionGroup> groups = remote.sample(PROMPTS, new SamplingParams(6, 12, 1.0, 1.0, 0, List.of(), 3));
                double maxDiff = 0;
                int scripted = 0, withCalls = 0, modelTokens = 0;
                for (CompletionGroup g : groups) {
                    for (Completion c : g.completions()) {
                        Episode e = c.episode();
                        assertNotNull(e, "every completion of a tool sampler has an episode");
                        float[] trainer = MultiTurnSamplingTest.trainerLogprobs(model, g.promptTokenIds(), c);
                        for (int k = 0; k < c.tokenIds().length; k++) {
                            if (e.modelToken(k)) {
                                maxDiff = Math.max(maxDiff, Math.abs(trainer[k] - c.logprobs()[k]));
                                modelTokens++;
                            } else {
                                assertEquals(0f, c.logprobs()[k], "observation tokens carry log-prob 0");
                            }
                        }
                        assertTrue(c.tokenIds().length <= 40, "max_total_tokens: " + c.tokenIds().length);
                        if (e.toolCalls() > 0) withCalls++;
                        if (c.text().equals(MultiTurnSamplingTest.SCRIPTED)) {
                            scripted++;
                            assertEquals(FinishReason.EOS, c.finishReason());
                            assertEquals(2, e.turns());
                            StringBuilder obs = new StringBuilder();
                            for (int k = 0; k < c.tokenIds().length; k++) {
                                if (!e.modelToken(k)) obs.append(MultiTurnSamplingTest.TOK.decode(new int[] {c.tokenIds()[k]}));
                            }
                            assertEquals("\n```output\n6\n```\n", obs.toString());
                        }
                    }
                }
                assertTrue(maxDiff < 1e-4, "server vs trainer log-probs of model tokens, max abs diff " + maxDiff);
                assertTrue(modelTokens > 50, "model tokens compared: " + modelTokens);
                assertTrue(scripted >= 4, "most q rows follow the script: " + scripted);
                assertTrue(withCalls >= scripted);
            } finally {
                server.close();
            }
        }
    }

    /**
     * A server that reports a stop string as a plain {@code "stop"} without {@code stop_reason} (SGLang sends
     * {@code matched_stop} instead): the call stop {@code \n```} ended a turn that holds no call ({@code ab\n```}),
     * which must continue the turn in another request (the text so far as token ids), not end the episode as an EOS.
     */
    @Test
    void aStopWithoutStopReasonThatCompletesNoCallContinuesTheTurn() throws Exception {
        ToolTestTokenizer tok = MultiTurnSamplingTest.TOK;
        int close = tok.id(MultiTurnSamplingTest.CLOSE);
        List<com.fasterxml.jackson.databind.JsonNode> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer fake = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        fake.createContext("/v1/completions", ex -> {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            var req = json.readTree(ex.getRequestBody());
            requests.add(req);
            int[] ids = requests.size() == 1 ? new int[] {tok.id("a"), tok.id("b"), close}
                    : new int[] {tok.id("="), tok.id("6"), ToolTestTokenizer.EOS};
            var choice = json.createObjectNode().put("index", 0).put("text", "").put("finish_reason", "stop");
            var tids = choice.putArray("token_ids");
            var lps = choice.putObject("logprobs").putArray("token_logprobs");
            for (int id : ids) {
                tids.add(id);
                lps.add(-0.25);
            }
            choice.putArray("prompt_token_ids").add(tok.id("q"));
            var body = json.createObjectNode();
            body.putArray("choices").add(choice);
            byte[] out = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, out.length);
            ex.getResponseBody().write(out);
            ex.close();
        });
        fake.start();
        try (ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(40))) {
            Sampler remote = new RemoteSampler(java.net.URI.create("http://127.0.0.1:" + fake.getAddress().getPort()),
                    "tiny", null).withTools(tools, tok);
            Completion c = remote.sample(List.of("q"), new SamplingParams(1, 12, 1.0, 1.0, 0, List.of(), 3)).get(0)
                    .completions().get(0);
            assertEquals("ab" + MultiTurnSamplingTest.CLOSE + "=6", c.text());
            assertEquals(FinishReason.EOS, c.finishReason());
            assertEquals(1, c.episode().turns());
            assertEquals(0, c.episode().toolCalls());
            assertEquals(2, requests.size(), "the turn went on in a second request");
            var prompt = requests.get(1).get("prompt");
            assertEquals(List.of(tok.id("q"), tok.id("a"), tok.id("b"), close),
                    List.of(prompt.get(0).asInt(), prompt.get(1).asInt(), prompt.get(2).asInt(), prompt.get(3).asInt()));
            assertEquals(4, prompt.size());
            assertEquals(List.of("\n```"), List.of(requests.get(1).get("stop").get(0).asText()));
        } finally {
            fake.stop(0);
        }
    }
}
