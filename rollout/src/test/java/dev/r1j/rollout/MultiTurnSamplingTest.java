package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.grpo.CompletionLogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Episode;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import dev.r1j.env.Conversation;
import dev.r1j.env.Environment;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.Observation;
import dev.r1j.env.ToolCall;
import dev.r1j.env.ToolCallFormat;
import dev.r1j.env.ToolRunner;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Multi-turn sampling on the real {@link Transformer} and the real calculator: an untrained model with a bigram bias
 * ({@link BigramBiasLM}) that scripts "```calculator\n2*3\n```" after the prompt "q" and "=6" after the observation,
 * sampled at temperature 1 so rows deviate, pause and finish at different times.
 */
class MultiTurnSamplingTest {
    static final String OPEN = "```calculator\n", CLOSE = "\n```";
    static final ToolTestTokenizer TOK = new ToolTestTokenizer(OPEN, CLOSE);
    static final int V = TOK.vocabSize();
    static final String SCRIPTED = "```calculator\n2*3\n```\n```output\n6\n```\n=6";
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(ModelConfig.tinyLlama(V), ModelConfig.tinyQwen2(V), ModelConfig.tinyDeepSeekV3(V, 12));
    }

    /** q → call 2*3 → (observation) → =6 EOS; r → xy EOS (no tool). */
    static float[][] script(float strength) {
        float[][] b = new float[V][V];
        String[][] chain = {{"q", OPEN}, {OPEN, "2"}, {"2", "*"}, {"*", "3"}, {"3", CLOSE}, {"\n", "="}, {"=", "6"},
                {"r", "x"}, {"x", "y"}};
        for (String[] link : chain) b[TOK.id(link[0])][TOK.id(link[1])] = strength;
        b[TOK.id("6")][ToolTestTokenizer.EOS] = strength;
        b[TOK.id("y")][ToolTestTokenizer.EOS] = strength;
        return b;
    }

    static BigramBiasLM model(ModelConfig config, NDManager m) {
        return new BigramBiasLM(PeakedTransformer.create(config, m, 11, 3f), script(9f));
    }

    /** The trainer's log-probs (CompletionLogProbs: one forward over prompt + interleaved completion) of one completion. */
    static float[] trainerLogprobs(BigramBiasLM model, int[] prompt, Completion c) {
        try (NDManager m = model.manager().newSubManager()) {
            int[] all = PeakedTransformer.concat(prompt, c.tokenIds());
            long[] ids = new long[all.length];
            long[] att = new long[all.length];
            for (int i = 0; i < all.length; i++) {
                ids[i] = all[i];
                att[i] = 1;
            }
            NDArray lp = CompletionLogProbs.compute(model, m.create(ids, new Shape(1, all.length)),
                    m.create(att, new Shape(1, all.length)), prompt.length, 1.0, false).logProbs();
            return lp.toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void behaviourLogprobsOfModelTokensEqualTheTrainersOverTheInterleavedSequence(ModelConfig config) {
        try (NDManager m = root.newSubManager(); BigramBiasLM model = model(config, m);
                ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(40))) {
            LocalSampler sampler = new LocalSampler(model, TOK).withTools(tools);
            List<CompletionGroup> groups = sampler.sample(List.of("q", "r", "qq"),
                    new SamplingParams(6, 12, 1.0, 1.0, 0, List.of(), 3));
            double maxDiff = 0;
            int scripted = 0, withCalls = 0;
            for (CompletionGroup g : groups) {
                for (Completion c : g.completions()) {
                    Episode e = c.episode();
                    assertNotNull(e, "every completion of a tool sampler has an episode");
                    float[] trainer = trainerLogprobs(model, g.promptTokenIds(), c);
                    for (int k = 0; k < c.tokenIds().length; k++) {
                        if (e.modelToken(k)) {
                            maxDiff = Math.max(maxDiff, Math.abs(trainer[k] - c.logprobs()[k]));
                        } else {
                            assertEquals(0f, c.logprobs()[k], "observation tokens carry log-prob 0");
                        }
                    }
                    assertTrue(c.tokenIds().length <= 40, "max_total_tokens: " + c.tokenIds().length);
                    if (e.toolCalls() > 0) {
                        withCalls++;
                        assertTrue(e.observationTokens() > 0);
                        boolean endsInObservation = !e.modelToken(c.tokenIds().length - 1);
                        assertEquals(e.toolCalls() + (endsInObservation ? 0 : 1), e.turns(),
                                "each answered call opens a turn, unless its observation spent the budget");
                    }
                    if (c.text().equals(SCRIPTED)) {
                        scripted++;
                        assertEquals(FinishReason.EOS, c.finishReason());
                        assertEquals(2, e.turns());
                        assertEquals(1, e.toolCalls());
                        assertEquals(0, e.toolErrors());
                        // the observation is exactly the output block, and only it is marked
                        StringBuilder obs = new StringBuilder();
                        for (int k = 0; k < c.tokenIds().length; k++) {
                            if (!e.modelToken(k)) obs.append(TOK.decode(new int[] {c.tokenIds()[k]}));
                        }
                        assertEquals("\n```output\n6\n```\n", obs.toString());
                    }
                }
            }
            assertTrue(maxDiff < 1e-4, config.modelType() + ": sampler vs trainer log-probs, max abs diff " + maxDiff);
            assertTrue(scripted >= 4, "most q rows follow the script: " + scripted);
            assertTrue(withCalls >= scripted);
            for (Completion c : groups.get(1).completions()) {
                assertEquals(0, c.episode().toolCalls(), "r never calls: " + c.text());
            }
        }
    }

    @Test
    void aHangingToolIsCutAtItsTimeoutAndTheEpisodeGoesOn() {
        Environment hang = new Environment() {
            public List<String> tools() {
                return List.of("calculator");
            }

            public Observation respond(ToolCall call, Conversation conversation) {
                try {
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Observation.of("late");
            }
        };
        try (NDManager m = root.newSubManager(); BigramBiasLM model = model(ModelConfig.tinyLlama(V), m);
                ToolRunner tools = new ToolRunner(hang, EnvironmentConfig.of("calculator").withTimeoutS(0.2)
                        .withMaxTotalTokens(80))) {
            long t0 = System.nanoTime();
            List<CompletionGroup> groups = new LocalSampler(model, TOK).withTools(tools)
                    .sample(List.of("q"), new SamplingParams(4, 12, 1.0, 1.0, 0, List.of(), 5));
            double s = (System.nanoTime() - t0) / 1e9;
            assertTrue(s < 10, "the hang was cut, took " + s + " s");
            int timedOut = 0;
            for (Completion c : groups.get(0).completions()) {
                if (c.episode().toolTimeouts() > 0) {
                    timedOut++;
                    assertTrue(c.text().contains("```output\nError: tool 'calculator' timed out after 0.2 s\n```\n"), c.text());
                    assertEquals(c.episode().toolTimeouts(), c.episode().toolErrors() + c.episode().toolTimeouts()
                            - c.episode().toolErrors());
                }
            }
            assertTrue(timedOut >= 2, "the scripted call times out in most rows: " + timedOut);
        }
    }

    @Test
    void lastTurnAndTokenBudgetEndTheEpisode() {
        try (NDManager m = root.newSubManager(); BigramBiasLM model = model(ModelConfig.tinyLlama(V), m)) {
            try (ToolRunner oneTurn = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTurns(1))) {
                Completion c = new LocalSampler(model, TOK).withTools(oneTurn).sample(List.of("q"), SamplingParams.greedy(12))
                        .get(0).completions().get(0);
                assertEquals("```calculator\n2*3\n```", c.text(), "a call in the last turn ends the episode unanswered");
                assertEquals(FinishReason.STOP, c.finishReason());
                assertEquals(0, c.episode().toolCalls());
                assertEquals(0, c.episode().observationTokens());
            }
            // the call takes 5 tokens (OPEN 2 * 3 CLOSE); a budget of 8 leaves 3 of the observation's
            try (ToolRunner small = ToolRunner.create(EnvironmentConfig.of("calculator").withMaxTotalTokens(8))) {
                Completion c = new LocalSampler(model, TOK).withTools(small).sample(List.of("q"), SamplingParams.greedy(12))
                        .get(0).completions().get(0);
                assertEquals(8, c.tokenIds().length);
                assertEquals("```calculator\n2*3\n```\n```ou", c.text());
                assertEquals(FinishReason.LENGTH, c.finishReason());
                assertEquals(3, c.episode().observationTokens());
            }
        }
    }

    @Test
    void greedyMultiTurnIsTheSameAloneAndInABatch() {
        try (NDManager m = root.newSubManager(); BigramBiasLM model = model(ModelConfig.tinyLlama(V), m);
                ToolRunner tools = ToolRunner.create(EnvironmentConfig.of("calculator"))) {
            LocalSampler sampler = new LocalSampler(model, TOK).withTools(tools);
            List<String> prompts = List.of("q", "r", "aq", "qq");
            List<CompletionGroup> batched = sampler.sample(prompts, SamplingParams.greedy(12));
            for (int p = 0; p < prompts.size(); p++) {
                Completion alone = sampler.sample(List.of(prompts.get(p)), SamplingParams.greedy(12)).get(0).completions().get(0);
                Completion inBatch = batched.get(p).completions().get(0);
                assertEquals(alone.text(), inBatch.text(), prompts.get(p));
                org.junit.jupiter.api.Assertions.assertArrayEquals(alone.logprobs(), inBatch.logprobs(), 1e-4f);
            }
            assertEquals(SCRIPTED, batched.get(0).completions().get(0).text());
        }
    }

    @Test
    void hermesObservationsGoThroughTheChatTemplate() {
        TestCharTokenizer templated = new TestCharTokenizer("abc:;t");
        assertEquals(";t:out;a:", ObservationText.of(ToolCallFormat.HERMES, templated).render("<tool_call>x</tool_call>", "out"));
        templated.hasChatTemplate = false;
        assertEquals("\n<tool_response>\nout\n</tool_response>\n",
                ObservationText.of(ToolCallFormat.HERMES, templated).render("x", "out"));
        assertEquals("\n```output\nout\n```\n", ObservationText.of(ToolCallFormat.CODE_BLOCK, templated).render("x", "out"));
        assertNull(null);
    }
}
