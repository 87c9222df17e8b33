package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.testing.RootManager;
import dev.r1j.verifiers.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** GRPO on the real {@link Transformer} (tiny llama). */
class TransformerGrpoTest {
    private static final String ALPHA = "abcdefgh";
    @RootManager private static NDManager root;

    @Test
    void paddedCompletionLogProbsMatchUnpaddedLogProbs() {
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 5);
                NDManager sm = root.newSubManager()) {
            int[][] prompts = {{1, 2, 3, 4}, {5}};
            int[][] comps = {{6, 7}, {0, 1, 2}};
            List<ScoredCompletion> samples = List.of(
                    scored(prompts[0], comps[0]), scored(prompts[1], comps[1]));
            RolloutBatch b = RolloutBatch.build(sm, samples, false);
            assertEquals(4, b.promptWidth());
            assertEquals(3, b.completionWidth());
            float[] got = CompletionLogProbs.compute(model, b.ids(), b.attention(), b.promptWidth(), 1.0, true)
                    .logProbs().toFloatArray();
            float[] mask = b.mask().toFloatArray();
            for (int i = 0; i < 2; i++) {
                int p = prompts[i].length, c = comps[i].length;
                long[] seq = new long[p + c];
                for (int j = 0; j < p; j++) seq[j] = prompts[i][j];
                for (int j = 0; j < c; j++) seq[p + j] = comps[i][j];
                float[] want = LogProbs.tokenLogProbs(model, sm.create(seq, new Shape(1, p + c)),
                        sm.ones(new Shape(1, p + c), ai.djl.ndarray.types.DataType.INT64)).toFloatArray();
                for (int j = 0; j < 3; j++) {
                    if (j < c) {
                        assertEquals(want[p - 1 + j], got[i * 3 + j], 1e-5, "row " + i + " token " + j);
                        assertEquals(1f, mask[i * 3 + j]);
                    } else {
                        assertEquals(0f, mask[i * 3 + j]);
                    }
                }
            }
        }
    }

    private static ScoredCompletion scored(int[] prompt, int[] completion) {
        return new ScoredCompletion(new Prompt("p", Map.of()), prompt,
                new Completion(completion, "c", null, FinishReason.EOS), Verdict.of(0, ""), 0, 0.5);
    }

    private static double probOf(Transformer model, char prompt, char token) {
        try (NDManager sm = root.newSubManager()) {
            NDArray ids = sm.create(new long[] {ALPHA.indexOf(prompt)}, new Shape(1, 1));
            return model.forward(ids, sm.ones(new Shape(1, 1), ai.djl.ndarray.types.DataType.INT64), null)
                    .softmax(-1).toFloatArray()[ALPHA.indexOf(token)];
        }
    }

    @Test
    void tinyLlamaLearnsTheRewardedToken() {
        List<Prompt> prompts = List.of("a", "b", "c", "d").stream().map(p -> new Prompt(p, Map.of())).toList();
        GrpoConfig cfg = GrpoConfig.builder().groupSize(8).maxNewTokens(2).promptsPerStep(4).learningRate(0.01)
                .clip(0.2, 0.28).steps(16).seed(3).build();
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            double start = probOf(model, 'a', 'e');
            List<GrpoStepMetrics> ms = trainer.train(new PromptSource(prompts, 3), null);
            double end = probOf(model, 'a', 'e');
            double first = ms.subList(0, 4).stream().mapToDouble(GrpoStepMetrics::accuracy).average().orElseThrow();
            double last = ms.subList(12, 16).stream().mapToDouble(GrpoStepMetrics::accuracy).average().orElseThrow();
            System.out.printf("GRPO tiny llama: p(e|a) %.3f -> %.3f, accuracy %.3f -> %.3f, %.1f ms/step%n", start,
                    end, first, last, 1000 * ms.stream().mapToDouble(GrpoStepMetrics::stepS).average().orElseThrow());
            assertTrue(start < 0.3, "start " + start);
            assertTrue(end > 0.8, "end " + end);
            assertTrue(last > first + 0.3, "accuracy " + first + " -> " + last);
            GrpoStepMetrics m0 = ms.get(0);
            System.out.printf("GRPO tiny llama step 1: generation %.3f s, reward %.3f s, logprob %.3f s, update %.3f s%n",
                    m0.generationS(), m0.rewardS(), m0.logprobS(), m0.updateS());
            for (GrpoStepMetrics m : ms) assertTrue(Double.isFinite(m.entropy()) && m.entropy() >= 0, m.toString());
        }
    }

    @Test
    void stepsDoNotLeakNativeArraysIntoTheModelManager() {
        List<Prompt> prompts = List.of(new Prompt("ab", Map.of()), new Prompt("c", Map.of()));
        GrpoConfig cfg = GrpoConfig.builder().groupSize(4).maxNewTokens(2).promptsPerStep(2).learningRate(0.01)
                .numIterations(2).beta(0.1).gradientAccumulationSteps(2).steps(10).build();
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                Transformer ref = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                GrpoTrainer trainer = new GrpoTrainer(model, ref, new CharSampler(model, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            PromptSource src = new PromptSource(prompts, 1);
            trainer.step(src);
            trainer.step(src);
            int policyArrays = model.manager().getManagedArrays().size();
            int refArrays = ref.manager().getManagedArrays().size();
            int rootArrays = root.getManagedArrays().size();
            for (int i = 0; i < 3; i++) trainer.step(src);
            assertEquals(policyArrays, model.manager().getManagedArrays().size(), "policy manager");
            assertEquals(refArrays, ref.manager().getManagedArrays().size(), "reference manager");
            assertEquals(rootArrays, root.getManagedArrays().size(), "root manager");
        }
    }
}
