package dev.r1j.core.grpo;

import dev.r1j.core.sampling.CompletionGroup;
import java.util.List;

/**
 * One step's sampled and scored batch: every completion, the groups kept for training (dynamic sampling drops the
 * others), the prompts drawn, the generation and reward times, the weight version it was sampled from, and the raw
 * {@link Round}s it came from (what a checkpoint stores of a batch generated ahead, to score it again on resume).
 */
record Rollout(int step, int version, List<ScoredCompletion> all, List<List<ScoredCompletion>> kept, int drawn,
        long generationNs, long rewardNs, List<Round> rounds) {

    /** One sampler call: {@code count} prompts from data position {@code position}, and the groups it returned. */
    record Round(long position, int count, List<CompletionGroup> groups) {
        Round {
            groups = List.copyOf(groups);
        }
    }
}
