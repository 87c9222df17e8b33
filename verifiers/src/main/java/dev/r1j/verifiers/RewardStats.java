package dev.r1j.verifiers;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-reward statistics over a step's verdicts, for logging: the mean, population standard deviation, minimum and
 * maximum of each part's raw reward ({@link CompositeVerifier#PART_REWARDS}), keyed by the part's label. A verdict
 * that is not a composite's counts as one part named {@code reward}.
 *
 * <pre>{@code
 * Map<String, RewardStats.Summary> s = RewardStats.perReward(verdicts);
 * s.get("format").mean();   // share of well-formatted completions when format gives 0/1
 * }</pre>
 */
public final class RewardStats {
    /** Summary of one reward over {@code count} verdicts. */
    public record Summary(int count, double mean, double std, double min, double max) {}

    private RewardStats() {}

    /** Statistics per part label, in the order the labels first appear. */
    public static Map<String, Summary> perReward(List<Verdict> verdicts) {
        Map<String, double[]> acc = new LinkedHashMap<>(); // count, sum, sum of squares around a shift, min, max, shift
        for (Verdict v : verdicts) {
            Map<String, Double> parts = CompositeVerifier.partRewards(v);
            if (parts.isEmpty()) {
                parts = Map.of("reward", v.reward());
            }
            for (Map.Entry<String, Double> e : parts.entrySet()) {
                double x = e.getValue();
                // shifted sums keep the variance accurate when the values are large and close together
                double[] a = acc.computeIfAbsent(e.getKey(), k -> new double[] {0, 0, 0, x, x, x});
                double d = x - a[5];
                a[0]++;
                a[1] += d;
                a[2] += d * d;
                a[3] = Math.min(a[3], x);
                a[4] = Math.max(a[4], x);
            }
        }
        Map<String, Summary> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : acc.entrySet()) {
            double[] a = e.getValue();
            double meanShift = a[1] / a[0];
            double var = Math.max(0, a[2] / a[0] - meanShift * meanShift);
            out.put(e.getKey(), new Summary((int) a[0], a[5] + meanShift, Math.sqrt(var), a[3], a[4]));
        }
        return Collections.unmodifiableMap(out);
    }
}
