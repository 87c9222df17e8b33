package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Top-k / top-p / greedy on hand-worked logits. */
class NextTokenTest {
    // probabilities 0.4, 0.25, 0.15, 0.1, 0.06, 0.04 at temperature 1
    private static final float[] LOGITS = logs(0.4, 0.25, 0.15, 0.1, 0.06, 0.04);

    private static float[] logs(double... p) {
        float[] l = new float[p.length];
        for (int i = 0; i < p.length; i++) l[i] = (float) Math.log(p[i]);
        return l;
    }

    private static int[] kept(float[] logits, double t, double topP, int topK) {
        int[] k = NextToken.candidates(logits, 0, logits.length, t, topP, topK).tokens();
        return k;
    }

    @Test
    void topPKeepsTheSmallestPrefixReachingTheMass() {
        assertArrayEquals(new int[] {0}, kept(LOGITS, 1, 0.3, 0));
        assertArrayEquals(new int[] {0, 1}, kept(LOGITS, 1, 0.5, 0)); // 0.4 < 0.5 <= 0.65
        assertArrayEquals(new int[] {0, 1, 2}, kept(LOGITS, 1, 0.7, 0)); // 0.65 < 0.7 <= 0.8
        assertArrayEquals(new int[] {0, 1, 2, 3}, kept(LOGITS, 1, 0.85, 0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, kept(LOGITS, 1, 0.95, 0)); // 0.96
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, kept(LOGITS, 1, 1.0, 0));
    }

    @Test
    void temperatureIsAppliedBeforeTopP() {
        // T = 0.5 squares the probabilities: 0.615, 0.240, 0.087, ... so 0.85 is reached after two tokens
        assertArrayEquals(new int[] {0, 1}, kept(LOGITS, 0.5, 0.85, 0));
        double[] p = NextToken.candidates(LOGITS, 0, 6, 0.5, 0.85, 0).probs();
        assertEquals(0.16 / (0.16 + 0.0625), p[0], 1e-6);
        assertEquals(0.0625 / (0.16 + 0.0625), p[1], 1e-6);
    }

    @Test
    void topKThenTopPOnTheRenormalisedRest() {
        assertArrayEquals(new int[] {0, 1}, kept(LOGITS, 1, 1.0, 2));
        assertArrayEquals(new int[] {0, 1, 2}, kept(LOGITS, 1, 1.0, 3));
        // over the top 3 (mass 0.8): 0.5, 0.3125, 0.1875 -> 0.7 is reached at the second token
        assertArrayEquals(new int[] {0, 1}, kept(LOGITS, 1, 0.7, 3));
        double[] p = NextToken.candidates(LOGITS, 0, 6, 1, 0.7, 3).probs();
        assertEquals(0.4 / 0.65, p[0], 1e-6);
        assertEquals(0.25 / 0.65, p[1], 1e-6);
    }

    @Test
    void tiesGoToTheLowerIdAndOrderIsByLogitNotId() {
        float[] l = {1f, 3f, 2f, 3f, -5f};
        assertArrayEquals(new int[] {1}, kept(l, 1, 1, 1));
        assertArrayEquals(new int[] {1, 3}, kept(l, 1, 1, 2));
        assertArrayEquals(new int[] {1, 3, 2}, kept(l, 1, 1, 3));
        assertEquals(1, NextToken.argmax(l, 0, 5));
        float[] neg = {-3f, -1f, -2f};
        assertArrayEquals(new int[] {1, 2, 0}, kept(neg, 1, 1, 3));
    }

    @Test
    void logSoftmaxAndOffsets() {
        float[] two = {9f, 9f, 0f, 1f, 2f}; // second row starts at offset 2
        double z = Math.exp(0) + Math.exp(1) + Math.exp(2);
        assertEquals(1 - Math.log(z), NextToken.logSoftmaxAt(two, 2, 3, 1), 1e-12);
        assertEquals(2, NextToken.argmax(two, 2, 3));
    }

    @Test
    void samplingNeverLeavesTheKeptSet() {
        SplittableRandom rng = new SplittableRandom(3);
        boolean[] seen = new boolean[6];
        for (int i = 0; i < 5000; i++) seen[NextToken.sample(LOGITS, 0, 6, 1.3, 0.7, 0, rng)] = true;
        assertEquals("[true, true, true, false, false, false]", Arrays.toString(seen));
    }

    @Test
    void nanLogitsAreAnError() {
        float[] l = {Float.NaN, Float.NaN};
        assertThrows(IllegalStateException.class, () -> NextToken.sample(l, 0, 2, 1, 1, 0, new SplittableRandom(1)));
    }
}
