package dev.r1j.rollout;

/**
 * The most likely tokens at one position with their log-probs, largest first, from the raw logits (before
 * temperature, top-k and top-p, like {@link dev.r1j.core.sampling.Completion#logprobs()}): what OpenAI calls
 * {@code top_logprobs}. Ties go to the lower token id.
 *
 * <pre>{@code
 * TopLogprobs top = TopLogprobs.of(logits, 0, vocab, 5);
 * int best = top.tokens()[0];
 * }</pre>
 */
public record TopLogprobs(int[] tokens, float[] logprobs) {
    /** The most tokens a request may ask alternatives for (OpenAI's limit for {@code top_logprobs}). */
    public static final int MAX = 20;

    /** The {@code n} largest entries of {@code log softmax(logits[offset, offset + vocab))}: O(vocab * n), no sort. */
    public static TopLogprobs of(float[] logits, int offset, int vocab, int n) {
        int k = Math.min(n, vocab);
        int[] best = new int[k];
        int size = 0;
        for (int v = 0; v < vocab; v++) {
            float x = logits[offset + v];
            if (size == k && !(x > logits[offset + best[k - 1]])) continue;
            int i = size < k ? size++ : k - 1;
            while (i > 0 && x > logits[offset + best[i - 1]]) { // strictly greater: the earlier (lower) id stays ahead
                best[i] = best[i - 1];
                i--;
            }
            best[i] = v;
        }
        // the same arithmetic as NextToken.logSoftmaxAt, so the chosen token's value here equals its reported log-prob
        double max = logits[offset + best[0]];
        double sum = 0;
        for (int v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
        float[] lp = new float[k];
        for (int i = 0; i < k; i++) lp[i] = (float) (logits[offset + best[i]] - max - Math.log(sum));
        return new TopLogprobs(best, lp);
    }
}
