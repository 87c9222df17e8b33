package dev.r1j.core.sampling;

/**
 * One sampled completion: its token ids (the stop string, if any, is cut from {@code text} but the tokens that
 * produced it are kept so that log-probs line up), the behaviour log-prob of each token under the distribution it
 * was sampled from ({@code log softmax(logits / temperature)}, before top-k/top-p), and why it ended.
 */
public record Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason) {
    public Completion {
        if (logprobs != null && logprobs.length != tokenIds.length) {
            throw new IllegalArgumentException(
                    "logprobs has " + logprobs.length + " entries for " + tokenIds.length + " tokens");
        }
    }
}
