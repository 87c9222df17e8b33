package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.testing.RootManager;
import dev.r1j.core.testing.TinyLM;
import dev.r1j.core.sampling.Prompt;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KlRewardPenaltyTest {
    @RootManager private static NDManager root;
    private static final String ALPHA = "abcdefgh";
    private static final List<Prompt> PROMPTS =
            List.of("a", "b", "c", "d").stream().map(p -> new Prompt(p, Map.of())).toList();

    @Test
    void penaltyIsBetaTimesTheSummedEstimateOverCountedTokensForEachEstimator() {
        int n = 3, t = 4;
        Random rnd = new Random(5);
        double[][] old = new double[n][t], ref = new double[n][t], mask = new double[n][t];
        float[] o = new float[n * t], r = new float[n * t], m = new float[n * t];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < t; j++) {
                old[i][j] = -0.3 - 2 * rnd.nextDouble();
                ref[i][j] = old[i][j] + (rnd.nextDouble() - 0.5);
                mask[i][j] = i == 2 && j >= 1 ? 0 : 1; // row 2 counts one token
                o[i * t + j] = (float) old[i][j];
                r[i * t + j] = (float) ref[i][j];
                m[i * t + j] = (float) mask[i][j];
            }
        }
        r[2 * t + 3] = Float.NEGATIVE_INFINITY; // a masked position's value never reaches the penalty
        double[] rewards = {1, 0, 0.5};
        try (NDManager sm = root.newSubManager()) {
            NDArray oa = sm.create(o, new Shape(n, t)), ra = sm.create(r, new Shape(n, t)),
                    ma = sm.create(m, new Shape(n, t));
            for (KlEstimator est : KlEstimator.values()) {
                double[] got = KlRewardPenalty.apply(rewards, oa, ra, ma, est, 0.1);
                for (int i = 0; i < n; i++) {
                    double sum = 0;
                    for (int j = 0; j < t; j++) {
                        if (mask[i][j] == 0) continue;
                        double d = ref[i][j] - old[i][j];
                        sum += switch (est) {
                            case K1 -> -d;
                            case K2 -> d * d / 2;
                            case K3 -> Math.exp(d) - d - 1;
                        };
                    }
                    assertEquals(rewards[i] - 0.1 * sum, got[i], 1e-6, est + " row " + i);
                    assertNotEquals(rewards[i], got[i], est + " row " + i);
                }
            }
            assertThrows(IllegalArgumentException.class,
                    () -> KlRewardPenalty.apply(new double[2], oa, ra, ma, KlEstimator.K1, 0.1));
        }
    }

    @Test
    void trainerTrainsOnPenalisedAdvantagesAndLeavesTheKlOutOfTheLoss() {
        GrpoConfig cfg = GrpoConfig.builder().groupSize(4).maxNewTokens(3).promptsPerStep(2).steps(1).beta(0.5)
                .klInReward(true).klEstimator(KlEstimator.K1).learningRate(0.05).scaleRewards(ScaleRewards.NONE)
                .build();
        try (TinyLM model = TinyLM.bigram(root, ALPHA.length(), 8, 1);
                TinyLM ref = TinyLM.bigram(root, ALPHA.length(), 8, 7);
                GrpoTrainer trainer = new GrpoTrainer(model, ref,
                        new CharSampler(model, ALPHA), GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            GrpoStepMetrics m = trainer.step(new PromptSource(PROMPTS, 3));
            List<ScoredCompletion> done = trainer.lastCompletions();
            double[] rewards = done.stream().mapToDouble(ScoredCompletion::reward).toArray();
            double[] plain = Advantages.compute(rewards, 4, AdvantageEstimator.GRPO, ScaleRewards.NONE);
            double moved = 0, sum = 0;
            for (int i = 0; i < done.size(); i++) {
                moved = Math.max(moved, Math.abs(done.get(i).advantage() - plain[i]));
                sum += done.get(i).advantage();
            }
            assertTrue(moved > 1e-3, "the KL of a different reference must move the advantages: " + moved);
            assertEquals(0, sum, 1e-9, "group-centred advantages still sum to 0 per batch");
            assertTrue(Double.isFinite(m.kl()) && m.kl() != 0, "the KL stays a statistic: " + m.kl());
            // no KL term in the loss: at ratio 1 the dapo loss is minus the token-weighted mean advantage
            double num = 0, den = 0;
            for (ScoredCompletion s : done) {
                int len = s.completion().tokenIds().length;
                num -= s.advantage() * len;
                den += len;
            }
            assertEquals(num / den, m.loss(), 1e-5);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GrpoConfig.builder().klInReward(true).build());
        assertTrue(e.getMessage().startsWith("kl_in_reward needs beta > 0"), e.getMessage());
    }
}
