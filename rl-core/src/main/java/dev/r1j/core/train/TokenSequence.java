package dev.r1j.core.train;

import java.util.Arrays;

/**
 * One training sequence: token ids and which of them are targets of the next-token loss. {@code target[t]}
 * says whether predicting {@code ids[t]} from {@code ids[0..t-1]} counts; {@code target[0]} is ignored (nothing
 * predicts the first token).
 *
 * <pre>{@code
 * TokenSequence pre = TokenSequence.allTokens(tok.encode("12+7=<answer>19</answer>"));   // pretraining
 * TokenSequence sft = TokenSequence.completionOnly(tok.encode("12+7="), tok.encode("<answer>19</answer>")); // SFT
 * }</pre>
 */
public record TokenSequence(int[] ids, boolean[] target) {
    public TokenSequence {
        if (ids.length < 2) throw new IllegalArgumentException("a training sequence needs at least 2 tokens, got " + ids.length);
        if (target.length != ids.length) {
            throw new IllegalArgumentException("target mask has " + target.length + " entries for " + ids.length + " tokens");
        }
    }

    /** Every token (after the first) is a target: pretraining. */
    public static TokenSequence allTokens(int[] ids) {
        boolean[] t = new boolean[ids.length];
        Arrays.fill(t, true);
        t[0] = false;
        return new TokenSequence(ids, t);
    }

    /** Prompt tokens are context only; completion tokens are targets: SFT's completion-only loss. */
    public static TokenSequence completionOnly(int[] prompt, int[] completion) {
        int[] ids = new int[prompt.length + completion.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(completion, 0, ids, prompt.length, completion.length);
        boolean[] t = new boolean[ids.length];
        Arrays.fill(t, prompt.length, ids.length, true);
        t[0] = false;
        return new TokenSequence(ids, t);
    }

    public int length() {
        return ids.length;
    }

    /** Number of tokens that count in the loss. */
    public int targetCount() {
        int n = 0;
        for (int i = 1; i < target.length; i++) if (target[i]) n++;
        return n;
    }

    /** The first {@code max} tokens (or this sequence when it is not longer). */
    public TokenSequence truncate(int max) {
        if (ids.length <= max) return this;
        return new TokenSequence(Arrays.copyOf(ids, max), Arrays.copyOf(target, max));
    }
}
