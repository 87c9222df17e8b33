package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.Episode;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Training on multi-turn completions whose tokens interleave the model's turns with observations: the loss, the KL
 * and the entropy count the model's tokens only, the model tokens' log-probs are those of one forward over the whole
 * interleaved sequence, and the environment's reward is added to the verifier's.
 */
class InterleavedEpisodeTest {
    @RootManager private static NDManager root;

    // completion 0: m m o o o m m ; completion 1: m o m (then padding)
    private static final boolean[][] OBS = {{false, false, true, true, true, false, false}, {false, true, false}};
    private static final int[][] PROMPTS = {{1, 2, 3}, {4}};
    private static final int[][] COMPS = {{5, 6, 0, 1, 2, 7, 3}, {2, 6, 4}};

    private static ScoredCompletion scored(int i, double advantage) {
        Episode e = new Episode(OBS[i], 2, 1, 0, 0, 0);
        return new ScoredCompletion(new Prompt("p" + i, Map.of()), PROMPTS[i],
                new Completion(COMPS[i], "c", null, FinishReason.EOS, e), Verdict.of(0, ""), 0, advantage);
    }

    @Test
    void observationTokensAreOutOfTheMaskAndModelTokensMatchAFullForward() {
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(8), root, 5); NDManager sm = root.newSubManager()) {
            RolloutBatch b = RolloutBatch.build(sm, List.of(scored(0, 1), scored(1, -1)), false);
            float[] mask = b.mask().toFloatArray();
            int c = b.completionWidth();
            assertEquals(7, c);
            float[] got = CompletionLogProbs.compute(model, b.ids(), b.attention(), b.promptWidth(), 1.0, false)
                    .logProbs().toFloatArray();
            for (int i = 0; i < 2; i++) {
                int p = PROMPTS[i].length, n = COMPS[i].length;
                long[] seq = new long[p + n];
                for (int j = 0; j < p; j++) seq[j] = PROMPTS[i][j];
                for (int j = 0; j < n; j++) seq[p + j] = COMPS[i][j];
                float[] want = LogProbs.tokenLogProbs(model, sm.create(seq, new Shape(1, p + n)),
                        sm.ones(new Shape(1, p + n), DataType.INT64)).toFloatArray();
                for (int j = 0; j < c; j++) {
                    boolean model_ = j < n && !OBS[i][j];
                    assertEquals(model_ ? 1f : 0f, mask[i * c + j], "mask " + i + "," + j);
                    if (model_) assertEquals(want[p - 1 + j], got[i * c + j], 1e-5, "log-prob " + i + "," + j);
                }
            }
        }
    }

    /**
     * The GRPO objective (clipped ratio, k3 KL to a reference, entropy stats) on the batch's mask: replacing every
     * per-token input at the observation positions (new, old and reference log-probs and entropy, as different
     * observation tokens would give) changes neither the loss nor any gradient, and the gradient there is exactly 0.
     */
    @Test
    void changingObservationsChangesNoGradientThroughMaskedPositions() {
        for (LossType type : LossType.values()) {
            try (NDManager sm = root.newSubManager()) {
                RolloutBatch b = RolloutBatch.build(sm, List.of(scored(0, 1), scored(1, -0.5)), false);
                int n = 2 * b.completionWidth();
                float[] newLp = new float[n], oldLp = new float[n], refLp = new float[n], ent = new float[n];
                java.util.SplittableRandom r = new java.util.SplittableRandom(9);
                for (int k = 0; k < n; k++) {
                    newLp[k] = (float) (-0.2 - r.nextDouble());
                    oldLp[k] = newLp[k] + (float) (r.nextDouble() * 0.6 - 0.3);
                    refLp[k] = newLp[k] + (float) (r.nextDouble() * 0.6 - 0.3);
                    ent[k] = (float) r.nextDouble();
                }
                float[] mask = b.mask().toFloatArray();
                Object[] first = lossAndGrad(sm, b, type, newLp, oldLp, refLp, ent);
                float[] newLp2 = newLp.clone(), oldLp2 = oldLp.clone(), refLp2 = refLp.clone(), ent2 = ent.clone();
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < COMPS[i].length; j++) {
                        if (!OBS[i][j]) continue;
                        int k = i * b.completionWidth() + j;
                        newLp2[k] = -7f; oldLp2[k] = -0.01f; refLp2[k] = -30f; ent2[k] = 5f;
                    }
                }
                Object[] second = lossAndGrad(sm, b, type, newLp2, oldLp2, refLp2, ent2);
                assertEquals((double) first[0], (double) second[0], 0.0, type + ": loss");
                float[] g1 = (float[]) first[1], g2 = (float[]) second[1];
                int nonzero = 0;
                for (int k = 0; k < n; k++) {
                    assertEquals(g1[k], g2[k], 0f, type + ": gradient at " + k);
                    if (mask[k] == 0) assertEquals(0f, g1[k], 0f, type + ": masked position " + k);
                    else if (g1[k] != 0) nonzero++;
                }
                assertTrue(nonzero > 0, type + ": model tokens do get gradient");
            }
        }
    }

    private static Object[] lossAndGrad(NDManager sm, RolloutBatch b, LossType type, float[] newLp, float[] oldLp,
            float[] refLp, float[] ent) {
        try (NDManager m = sm.newSubManager()) {
            Shape s = b.mask().getShape();
            NDArray x = m.create(newLp, s);
            x.setRequiresGradient(true);
            PolicyLoss pl = new PolicyLoss(type, new Clip(0.2, 0.28), 0.05, b.completionWidth());
            double loss;
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                PolicyLoss.Result res = pl.compute(x, m.create(oldLp, s), m.create(refLp, s), b.advantages(), b.mask(),
                        m.create(ent, s), new LossNormalizer(b.maskedTokens(), b.size()));
                loss = res.loss().getFloat();
                gc.backward(res.loss());
            }
            return new Object[] {loss, x.getGradient().toFloatArray()};
        }
    }

    @Test
    void theEnvironmentsRewardIsAddedAndToolMetricsAreLogged() {
        Sampler scripted = new Sampler() {
            @Override
            public List<CompletionGroup> sample(List<String> prompts, SamplingParams params) {
                List<CompletionGroup> out = new ArrayList<>();
                for (String p : prompts) {
                    List<Completion> cs = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        boolean used = i == 0;
                        Episode e = new Episode(used ? new boolean[] {false, true, false} : new boolean[3],
                                used ? 2 : 1, used ? 1 : 0, used ? 1 : 0, 0, used ? 0.25 : 0);
                        cs.add(new Completion(new int[] {1, 2, 3}, used ? "ok" : "no", null, FinishReason.EOS, e));
                    }
                    out.add(new CompletionGroup(p, new int[] {0}, cs));
                }
                return out;
            }
        };
        Verifier okIsRight = new Verifier() {
            public String name() {
                return "ok";
            }

            public Verdict verify(Sample s) {
                return Verdict.of(s.completion().equals("ok") ? 1 : 0, "");
            }
        };
        GrpoConfig cfg = GrpoConfig.builder().groupSize(2).maxNewTokens(5).promptsPerStep(1).learningRate(0.01).steps(1)
                .build();
        try (TinyLM model = TinyLM.bigram(root, 8, 4, 1);
                GrpoTrainer trainer = new GrpoTrainer(model, null, scripted, okIsRight, cfg)) {
            GrpoStepMetrics m = trainer.step(new PromptSource(List.of(new Prompt("a", Map.of())), 1));
            List<ScoredCompletion> done = trainer.lastCompletions();
            assertEquals(1.25, done.get(0).reward(), 1e-12, "verifier 1 + environment 0.25");
            assertEquals(0.0, done.get(1).reward(), 1e-12);
            Map<String, Object> json = m.toMap();
            assertEquals(1.5, json.get("tools/turns_mean"));
            assertEquals(0.5, json.get("tools/tool_calls_mean"));
            assertEquals(0.5, json.get("tools/tool_errors_mean"));
            assertEquals(0.0, json.get("tools/tool_timeouts_mean"));
            assertEquals(0.5, json.get("tools/tool_use_frac"));
            assertEquals(0.125, json.get("tools/env_reward_mean"));
        }
    }
}
