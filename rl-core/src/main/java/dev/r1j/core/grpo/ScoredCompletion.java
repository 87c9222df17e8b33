package dev.r1j.core.grpo;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.verifiers.Verdict;

/**
 * One sampled completion after scoring: the verifier's verdict, the reward used for training (the verdict's plus
 * any overlong penalty), the prompt's token ids as sampled and, once computed, its advantage ({@code NaN} for
 * groups that dynamic sampling dropped).
 */
public record ScoredCompletion(
        Prompt prompt, int[] promptTokenIds, Completion completion, Verdict verdict, double reward,
        double advantage) {

    /** Whether the verdict gave full credit (reward >= 1): the accuracy metric's and the online filter's pass. */
    boolean fullCredit() {
        return verdict.reward() >= 1.0;
    }

    ScoredCompletion withAdvantage(double a) {
        return new ScoredCompletion(prompt, promptTokenIds, completion, verdict, reward, a);
    }
}
