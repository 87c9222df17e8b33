package dev.r1j.core.grpo;

/**
 * DAPO's dynamic sampling (Yu et al. 2025): a group whose rewards are all equal has zero advantage everywhere and
 * only dilutes the gradient, so it is dropped, and more prompts are sampled until the batch holds the wanted number
 * of informative groups (or a round limit is hit, after which the step trains on what it has).
 *
 * <pre>{@code
 * boolean[] keep = DynamicSampling.informativeGroups(rewards, 8);
 * int more = DynamicSampling.nextDraw(16, kept, drawn, round, 4, 64);   // 0 = stop sampling
 * }</pre>
 */
public final class DynamicSampling {
    private DynamicSampling() {}

    /** For each group, whether its rewards differ (exact comparison: verifier rewards are discrete). */
    public static boolean[] informativeGroups(double[] rewards, int groupSize) {
        Advantages.checkShape(rewards, groupSize);
        boolean[] keep = new boolean[rewards.length / groupSize];
        for (int g = 0; g < keep.length; g++) {
            double first = rewards[g * groupSize];
            for (int i = 1; i < groupSize; i++) {
                if (rewards[g * groupSize + i] != first) {
                    keep[g] = true;
                    break;
                }
            }
        }
        return keep;
    }

    /**
     * How many more prompts to sample in the next round.
     *
     * <p>The keep rate is estimated from the rounds so far with add-one smoothing, {@code (kept+1)/(drawn+2)}, so that
     * a round where nothing was kept still asks for a finite, larger draw; the draw covers the missing groups at that
     * rate and is capped by {@code maxPerDraw}.
     *
     * @param target informative groups wanted per step ({@code prompts_per_step})
     * @param kept informative groups gathered so far
     * @param drawn prompts sampled so far in this step
     * @param round number of rounds already sampled
     * @param maxRounds give up after this many rounds (DAPO's {@code max_num_gen_batches})
     * @param maxPerDraw upper bound of one draw
     * @return prompts to sample next, 0 when the batch is full or the rounds are used up
     */
    public static int nextDraw(int target, int kept, int drawn, int round, int maxRounds, int maxPerDraw) {
        if (target < 1 || kept < 0 || drawn < kept || round < 0 || maxRounds < 1 || maxPerDraw < 1) {
            throw new IllegalArgumentException(String.format(
                    "bad dynamic sampling state: target=%d kept=%d drawn=%d round=%d maxRounds=%d maxPerDraw=%d",
                    target, kept, drawn, round, maxRounds, maxPerDraw));
        }
        if (kept >= target || round >= maxRounds) return 0;
        if (drawn == 0) return Math.min(target, maxPerDraw);
        double rate = (kept + 1.0) / (drawn + 2.0);
        int want = (int) Math.ceil((target - kept) / rate);
        return Math.max(1, Math.min(want, maxPerDraw));
    }
}
