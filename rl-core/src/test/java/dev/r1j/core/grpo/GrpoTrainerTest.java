package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GrpoTrainerTest {
    private static final String ALPHA = "abcdefgh";
    private static final int E = ALPHA.indexOf('e');
    private static final List<Prompt> PROMPTS =
            List.of("a", "b", "c", "d").stream().map(p -> new Prompt(p, Map.of())).toList();
    @RootManager private static NDManager root;

    /** Full credit when the completion starts with 'e'. */
    static final Verifier STARTS_WITH_E = new Verifier() {
        @Override
        public String name() {
            return "starts-with-e";
        }

        @Override
        public Verdict verify(Sample s) {
            return s.completion().startsWith("e") ? Verdict.of(1.0, "e first") : Verdict.of(0.0, "no e");
        }
    };

    private static double probOfE(TinyLM model, String prompt) {
        try (NDManager sm = root.newSubManager()) {
            NDArray ids = sm.create(new long[] {ALPHA.indexOf(prompt)}, new Shape(1, 1));
            return model.forward(ids, sm.ones(new Shape(1, 1)), null).softmax(-1).toFloatArray()[E];
        }
    }

    private static GrpoConfig.Builder base() {
        return GrpoConfig.builder().groupSize(8).maxNewTokens(2).promptsPerStep(4).learningRate(0.05)
                .clip(0.2, 0.28).lossType(LossType.DAPO).maxGradNorm(1.0).seed(1);
    }

    @Test
    void policyLearnsTheRewardedToken() {
        try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 1);
                GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA), STARTS_WITH_E,
                        base().steps(25).build())) {
            for (Prompt p : PROMPTS) {
                double pe = probOfE(model, p.prompt());
                System.out.printf("GRPO toy: start p(e|%s) = %.3f%n", p.prompt(), pe);
                assertTrue(pe < 0.4, "start: " + p.prompt());
            }
            List<GrpoStepMetrics> ms = trainer.train(new PromptSource(PROMPTS, 1), null);
            assertEquals(25, ms.size());
            assertEquals(25, trainer.stepsDone());
            for (GrpoStepMetrics m : ms) {
                assertEquals(1.0, m.ratioMean(), 0.0, "mu = 1: the ratio is exactly 1");
                assertEquals(0.0, m.clipFrac(), 0.0);
                assertTrue(Double.isFinite(m.loss()) && m.gradNorm() >= 0, m.toString());
                assertEquals(2.0, m.completionLenMean());
                assertEquals(32, trainer.lastCompletions().size());
            }
            for (Prompt p : PROMPTS) {
                double pe = probOfE(model, p.prompt());
                assertTrue(pe > 0.8, "p(e | " + p.prompt() + ") = " + pe);
            }
            double first = ms.subList(0, 5).stream().mapToDouble(GrpoStepMetrics::accuracy).average().orElseThrow();
            double last = ms.subList(20, 25).stream().mapToDouble(GrpoStepMetrics::accuracy).average().orElseThrow();
            System.out.printf("GRPO toy: accuracy %.3f -> %.3f, p(e|a) = %.3f%n", first, last, probOfE(model, "a"));
            assertTrue(last > first + 0.3, "accuracy " + first + " -> " + last);
        }
    }

    private static List<GrpoStepMetrics> runWithEverything() {
        GrpoConfig cfg = base().steps(3).numIterations(2).beta(0.04).gradientAccumulationSteps(3)
                .dynamicSampling(true).lossType(LossType.GRPO).advantageEstimator(AdvantageEstimator.RLOO)
                .overlongBuffer(1).build();
        try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 2);
                TinyLM ref = TinyLM.bigram(root, ALPHA.length(), 8, 2);
                GrpoTrainer trainer = new GrpoTrainer(model, ref, new CharSampler(model, ALPHA), STARTS_WITH_E, cfg)) {
            return trainer.train(new PromptSource(PROMPTS, 3), null);
        }
    }

    @Test
    void iterationsReferenceAccumulationAndDynamicSamplingRunAndAreDeterministic() {
        List<GrpoStepMetrics> a = runWithEverything();
        for (GrpoStepMetrics m : a) {
            assertTrue(m.groupsKept() <= 4 && m.groupsDrawn() >= 4, m.toString());
            assertTrue(m.kl() >= 0 && Double.isFinite(m.kl()), m.toString());
            // overlong_buffer 1 with max 2: every 2-token completion loses 1 reward.
            assertTrue(m.rewardMean() <= 0.0, m.toString());
        }
        // The second of the two updates sees moved weights: the ratio and the KL leave their first-update values.
        assertNotEquals(1.0, a.get(0).ratioMean());
        assertTrue(a.get(0).kl() > 0, "kl " + a.get(0).kl());
        List<GrpoStepMetrics> b = runWithEverything();
        assertArrayEquals(a.stream().mapToDouble(GrpoStepMetrics::loss).toArray(),
                b.stream().mapToDouble(GrpoStepMetrics::loss).toArray(), 0.0);
        assertArrayEquals(a.stream().mapToDouble(GrpoStepMetrics::rewardMean).toArray(),
                b.stream().mapToDouble(GrpoStepMetrics::rewardMean).toArray(), 0.0);
    }

    @Test
    void nonFiniteLossStopsBeforeTheParametersChange() {
        try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 4);
                GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA), STARTS_WITH_E,
                        base().steps(5).build())) {
            PromptSource src = new PromptSource(PROMPTS, 1);
            trainer.step(src);
            float[] before = model.parameters().get("lm_head.weight").toFloatArray();
            model.poison = true;
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> trainer.step(src));
            assertEquals(2, e.step());
            assertTrue(e.getMessage().contains("step 2") && e.getMessage().contains("NaN"), e.getMessage());
            assertArrayEquals(before, model.parameters().get("lm_head.weight").toFloatArray(), 0f);
            assertEquals(1, trainer.stepsDone());
        }
    }

    @Test
    void gradientAccumulationGivesTheSameLossAndGradientNormAsOneBatch() {
        for (LossType type : LossType.values()) {
            // bnpo divides each micro-batch by its own tokens, so it is not meant to equal one batch (PolicyLossTest)
            if (type == LossType.BNPO) continue;
            double[][] out = new double[2][];
            int[] ks = {1, 5};
            for (int i = 0; i < 2; i++) {
                try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 9);
                        GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA),
                                STARTS_WITH_E, base().lossType(type).gradientAccumulationSteps(ks[i]).build())) {
                    GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 5));
                    out[i] = new double[] {m.loss(), m.gradNorm(), m.rewardMean()};
                }
            }
            assertEquals(out[0][2], out[1][2], 0.0, type + ": same samples");
            assertTrue(out[0][1] > 0, type + ": a non-zero gradient");
            assertEquals(out[0][0], out[1][0], 1e-6, type + " loss");
            assertEquals(out[0][1], out[1][1], 1e-5 * out[0][1], type + " grad norm");
        }
    }
}
