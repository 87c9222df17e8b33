package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AdvantagesTest {
    // Two groups of four: [1,0,0,1] (mean .5, unbiased std sqrt(1/3)) and [1,1,1,0] (mean .75, std .5).
    private static final double[] R = {1, 0, 0, 1, 1, 1, 1, 0};
    private static final double EPS = 1e-4;

    @Test
    void groupScaling() {
        double s1 = Math.sqrt(1.0 / 3) + EPS, s2 = 0.5 + EPS;
        double[] want = {0.5 / s1, -0.5 / s1, -0.5 / s1, 0.5 / s1, 0.25 / s2, 0.25 / s2, 0.25 / s2, -0.75 / s2};
        assertArrayEquals(want, Advantages.compute(R, 4, AdvantageEstimator.GRPO, ScaleRewards.GROUP), 1e-12);
        // A hand check of one value: 0.5 / 0.57745 = 0.86588.
        assertEquals(0.865876, Advantages.compute(R, 4, AdvantageEstimator.GRPO, ScaleRewards.GROUP)[0], 1e-6);
    }

    @Test
    void batchScaling() {
        // mean 5/8; sum of squares 5*.375^2 + 3*.625^2 = 1.875; unbiased var 1.875/7.
        double s = Math.sqrt(1.875 / 7) + EPS;
        double[] want = {0.5 / s, -0.5 / s, -0.5 / s, 0.5 / s, 0.25 / s, 0.25 / s, 0.25 / s, -0.75 / s};
        assertArrayEquals(want, Advantages.compute(R, 4, AdvantageEstimator.GRPO, ScaleRewards.BATCH), 1e-12);
    }

    @Test
    void noScalingIsDrGrpo() {
        double[] want = {0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75};
        assertArrayEquals(want, Advantages.compute(R, 4, AdvantageEstimator.GRPO, ScaleRewards.NONE), 1e-12);
    }

    @Test
    void reinforcePlusPlusWhitensOverTheBatch() {
        // reinforce_pp: batch mean 5/8, unbiased batch std sqrt(1.875/7) (as in batchScaling), no group baseline.
        double s = Math.sqrt(1.875 / 7) + EPS;
        double[] want = new double[R.length];
        for (int i = 0; i < R.length; i++) want[i] = (R[i] - 0.625) / s;
        assertArrayEquals(want, Advantages.compute(R, 4, AdvantageEstimator.REINFORCE_PP, ScaleRewards.BATCH), 1e-12);
        // Without a group, any group size gives the same: the batch is what counts.
        assertArrayEquals(want, Advantages.compute(R, 1, AdvantageEstimator.REINFORCE_PP, ScaleRewards.BATCH), 1e-12);
        // reinforce_pp_baseline: group-centred {.5,-.5,-.5,.5,.25,.25,.25,-.75}, batch mean 0, sum of squares 1.75,
        // unbiased var 1.75/7 = .25, std .5.
        double[] centred = {0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75};
        double[] got = Advantages.compute(R, 4, AdvantageEstimator.REINFORCE_PP_BASELINE, ScaleRewards.BATCH);
        for (int i = 0; i < R.length; i++) assertEquals(centred[i] / (0.5 + EPS), got[i], 1e-12, "baseline " + i);
        // and it differs from GRPO's batch scaling, which divides by the std of the raw rewards (.966 vs 1.000)
        assertTrue(Math.abs(got[0] - Advantages.compute(R, 4, AdvantageEstimator.GRPO, ScaleRewards.BATCH)[0]) > 0.03);
    }

    @Test
    void rlooLeaveOneOut() {
        // group 1: r=1 -> baseline (2-1)/3, r=0 -> 2/3; group 2: r=1 -> 2/3, r=0 -> 1.
        double[] want = {2.0 / 3, -2.0 / 3, -2.0 / 3, 2.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, -1};
        assertArrayEquals(want, Advantages.compute(R, 4, AdvantageEstimator.RLOO, ScaleRewards.NONE), 1e-12);
        double s1 = Math.sqrt(1.0 / 3) + EPS, s2 = 0.5 + EPS;
        double[] scaled = Advantages.compute(R, 4, AdvantageEstimator.RLOO, ScaleRewards.GROUP);
        assertEquals(2.0 / 3 / s1, scaled[0], 1e-12);
        assertEquals(-1 / s2, scaled[7], 1e-12);
    }

    @Test
    void equalRewardsGiveZeroAndNaiveAgreesOnRandomRewards() {
        assertArrayEquals(new double[4], Advantages.compute(new double[] {3, 3, 3, 3}, 4,
                AdvantageEstimator.GRPO, ScaleRewards.GROUP), 0);
        java.util.Random rnd = new java.util.Random(7);
        double[] r = new double[15];
        for (int i = 0; i < r.length; i++) r[i] = rnd.nextGaussian();
        double[] got = Advantages.compute(r, 5, AdvantageEstimator.GRPO, ScaleRewards.GROUP);
        for (int g = 0; g < 3; g++) {
            double[] grp = java.util.Arrays.copyOfRange(r, g * 5, g * 5 + 5);
            double mean = java.util.Arrays.stream(grp).average().orElseThrow();
            double var = java.util.Arrays.stream(grp).map(x -> (x - mean) * (x - mean)).sum() / 4;
            for (int i = 0; i < 5; i++) {
                assertEquals((grp[i] - mean) / (Math.sqrt(var) + EPS), got[g * 5 + i], 1e-12);
            }
        }
    }

    @Test
    void badInputNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Advantages.compute(new double[5], 2, AdvantageEstimator.GRPO, ScaleRewards.GROUP));
        assertTrue(e.getMessage().contains("5 rewards"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Advantages.compute(new double[3], 1, AdvantageEstimator.RLOO, ScaleRewards.NONE));
        assertThrows(IllegalArgumentException.class,
                () -> Advantages.compute(new double[] {1, Double.NaN}, 2, AdvantageEstimator.GRPO, ScaleRewards.NONE));
    }
}
