package dev.r1j.verifiers.monitor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link HackingMonitor} needs from one training step.
 *
 * <pre>{@code
 * StepStats s = StepStats.of(step, completions, lengths, accuracy, Map.of("math", 0.4, "format", 0.9));
 * }</pre>
 *
 * @param step               the step number
 * @param completionLenMean  mean completion length (tokens)
 * @param emptyShare         share of {@link CompletionShape#EMPTY} completions
 * @param answerOnlyShare    share of {@link CompletionShape#ANSWER_ONLY} completions
 * @param accuracy           share of completions judged correct
 * @param rewardMeans        mean of each reward (label → mean), e.g. from {@code RewardStats.perReward}
 */
public record StepStats(int step, double completionLenMean, double emptyShare, double answerOnlyShare, double accuracy,
                        Map<String, Double> rewardMeans) {
    public StepStats {
        rewardMeans = Collections.unmodifiableMap(new LinkedHashMap<>(rewardMeans));
        for (double share : new double[] {emptyShare, answerOnlyShare, accuracy}) {
            if (!(share >= 0 && share <= 1)) {
                throw new IllegalArgumentException("step " + step + ": shares and accuracy must be in [0, 1], got " + share);
            }
        }
    }

    /** Computes the shares from the step's completions (shape threshold {@link CompletionShape#DEFAULT_MIN_REASONING_CHARS}). */
    public static StepStats of(int step, List<String> completions, int[] lengths, double accuracy,
                               Map<String, Double> rewardMeans) {
        if (completions.isEmpty() || completions.size() != lengths.length) {
            throw new IllegalArgumentException("step " + step + ": need one length per completion, got "
                    + completions.size() + " completions and " + lengths.length + " lengths");
        }
        int empty = 0;
        int answerOnly = 0;
        double len = 0;
        for (int i = 0; i < lengths.length; i++) {
            len += lengths[i];
            switch (CompletionShape.classify(completions.get(i), CompletionShape.DEFAULT_MIN_REASONING_CHARS)) {
                case EMPTY -> empty++;
                case ANSWER_ONLY -> answerOnly++;
                default -> { }
            }
        }
        int n = lengths.length;
        return new StepStats(step, len / n, (double) empty / n, (double) answerOnly / n, accuracy, rewardMeans);
    }
}
