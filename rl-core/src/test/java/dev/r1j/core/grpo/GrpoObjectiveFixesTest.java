package dev.r1j.core.grpo;

import dev.r1j.core.testing.RootManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.verifiers.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The defects of issue 14 (1, 2, 3, 5): each test fails on the code before its fix. */
class GrpoObjectiveFixesTest {
    private static final String ALPHA = "abcdefgh";
    private @RootManager static NDManager root;

    /** 14.1: the trainer's log-probs are the sampler's behaviour log-probs, log softmax(z / T), at T = 0.5 and 1. */
    @ParameterizedTest(name = "T = {0}")
    @ValueSource(doubles = {0.5, 1.0})
    void trainerLogProbsEqualTheSamplersBehaviourLogProbs(double temperature) {
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 11);
                NDManager sm = root.newSubManager()) {
            CharSampler sampler = new CharSampler(model, ALPHA);
            List<CompletionGroup> groups = sampler.sample(List.of("abc", "h"),
                    new SamplingParams(3, 6, temperature, 1.0, 0, List.of(), 7));
            List<ScoredCompletion> samples = new ArrayList<>();
            for (CompletionGroup g : groups) {
                for (Completion c : g.completions()) {
                    samples.add(new ScoredCompletion(new Prompt(g.prompt(), Map.of()), g.promptTokenIds(), c,
                            Verdict.of(0, ""), 0, 0));
                }
            }
            RolloutBatch b = RolloutBatch.build(sm, samples, false);
            float[] got = CompletionLogProbs.compute(model, b.ids(), b.attention(), b.promptWidth(), temperature, false)
                    .logProbs().toFloatArray();
            int width = b.completionWidth();
            double maxDiff = 0;
            for (int i = 0; i < samples.size(); i++) {
                float[] want = samples.get(i).completion().logprobs();
                for (int j = 0; j < want.length; j++) maxDiff = Math.max(maxDiff, Math.abs(want[j] - got[i * width + j]));
            }
            assertTrue(maxDiff < 1e-4, "T = " + temperature + ": max |trainer - behaviour| = " + maxDiff);
        }
    }

    /**
     * 14.2: old log-probs are constants. With num_iterations = 2 on a thread other than the one that started the
     * engine (autograd on by default there), an old pass that records a graph makes the first update's policy
     * gradient exactly 0 (ratio = exp(new - old) of one function) and the second backward fail on a freed graph.
     */
    @Test
    void twoIterationUpdateOnANonEngineThreadTrains() throws Exception {
        GrpoConfig cfg = GrpoConfig.builder().groupSize(4).maxNewTokens(2).promptsPerStep(2).learningRate(0.01)
                .numIterations(2).steps(1).seed(5).build();
        AtomicReference<Object> result = new AtomicReference<>();
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                GrpoTrainer trainer = new GrpoTrainer(model, null, new CharSampler(model, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            float[] before = model.parameters().get("model.layers.0.mlp.down_proj.weight").toFloatArray();
            Thread worker = new Thread(() -> {
                try {
                    result.set(trainer.step(new PromptSource(
                            List.of(new Prompt("ab", Map.of()), new Prompt("c", Map.of())), 2)));
                } catch (Throwable t) {
                    result.set(t);
                }
            });
            worker.start();
            worker.join();
            if (result.get() instanceof Throwable t) throw new AssertionError("step failed on a worker thread", t);
            GrpoStepMetrics m = (GrpoStepMetrics) result.get();
            assertTrue(m.rewardStd() > 0, "the sampled group must carry signal for this test: " + m);
            // both iterations contribute; with a zero first gradient the mean norm would be at most half the second
            assertTrue(m.gradNorm() > 0 && Double.isFinite(m.gradNorm()), "grad norm " + m.gradNorm());
            float[] after = model.parameters().get("model.layers.0.mlp.down_proj.weight").toFloatArray();
            double moved = 0;
            for (int i = 0; i < after.length; i++) moved = Math.max(moved, Math.abs(after[i] - before[i]));
            assertTrue(moved > 0, "the policy did not move");
        }
    }

    /** 14.3: a micro-batch with no counted tokens (all masked) adds nothing to the merged statistics. */
    @Test
    void aZeroTokenMicroBatchLeavesTheMergedStatisticsFinite() {
        try (NDManager m = root.newSubManager()) {
            PolicyLoss loss = new PolicyLoss(LossType.DAPO, new Clip(0.2, 0.28), 0.1, 4);
            NDArray lp = m.create(new float[] {-1f, -2f, -0.5f, -1.5f}, new Shape(1, 4));
            NDArray old = m.create(new float[] {-1.1f, -1.9f, -0.5f, -1.4f}, new Shape(1, 4));
            NDArray ref = m.create(new float[] {-1.2f, -2.1f, -0.7f, -1.5f}, new Shape(1, 4));
            NDArray ent = m.create(new float[] {0.5f, 0.6f, 0.7f, 0.8f}, new Shape(1, 4));
            NDArray adv = m.create(new float[] {1f});
            LossNormalizer norm = new LossNormalizer(3, 2);
            LossStats counted = loss.compute(lp, old, ref, adv, m.create(new float[] {1, 1, 1, 0}, new Shape(1, 4)), ent,
                    norm).stats();
            LossStats empty = loss.compute(lp, old, ref, adv, m.zeros(new Shape(1, 4)), ent, norm).stats();
            assertEquals(0, empty.tokens());
            LossStats merged = LossStats.merge(List.of(counted, empty));
            assertEquals(counted.tokens(), merged.tokens());
            assertEquals(counted.kl(), merged.kl(), 1e-12);
            assertEquals(counted.ratioMean(), merged.ratioMean(), 1e-12);
            assertEquals(counted.entropy(), merged.entropy(), 1e-12);
            assertFalse(Double.isNaN(merged.kl()));
        }
    }

    /**
     * 14.5: masking is by selection. An infinite log-prob at a masked position (old, reference or new) changes
     * neither the loss nor the gradient; multiplying by the mask turned it into NaN (inf * 0).
     */
    @Test
    void anInfiniteLogProbAtAMaskedPositionChangesNeitherLossNorGradient() {
        for (LossType type : LossType.values()) {
            double[] clean = lossAndGrad(type, 0f);
            double[] poisoned = lossAndGrad(type, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < clean.length; i++) {
                assertTrue(Double.isFinite(poisoned[i]), type + ": entry " + i + " is " + poisoned[i]);
                assertEquals(clean[i], poisoned[i], 1e-7, type + ": entry " + i);
            }
        }
    }

    /** The loss followed by d loss / d new log-probs, with {@code masked} at the masked position of every input. */
    private static double[] lossAndGrad(LossType type, float masked) {
        try (NDManager m = root.newSubManager()) {
            NDArray lp = m.create(new float[] {-1f, -2f, masked, -0.3f, -0.9f, -1.2f}, new Shape(2, 3));
            lp.setRequiresGradient(true);
            NDArray old = m.create(new float[] {-1.1f, -1.8f, masked, -0.2f, -1.0f, -1.3f}, new Shape(2, 3));
            NDArray ref = m.create(new float[] {-0.9f, -2.2f, masked, -0.4f, -0.8f, -1.1f}, new Shape(2, 3));
            NDArray mask = m.create(new float[] {1, 1, 0, 1, 1, 1}, new Shape(2, 3));
            NDArray adv = m.create(new float[] {0.7f, -0.4f});
            PolicyLoss loss = new PolicyLoss(type, new Clip(0.2, 0.28), 0.05, 3);
            double[] out = new double[7];
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray l = loss.compute(lp, old, ref, adv, mask, null, null).loss();
                out[0] = l.getFloat();
                gc.backward(l);
            }
            float[] g = lp.getGradient().toFloatArray();
            for (int i = 0; i < 6; i++) out[i + 1] = g[i];
            return out;
        }
    }
}
