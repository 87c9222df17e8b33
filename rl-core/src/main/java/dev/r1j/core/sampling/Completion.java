package dev.r1j.core.sampling;

/**
 * One sampled completion: its token ids (the stop string, if any, is cut from {@code text} but the tokens that
 * produced it are kept so that log-probs line up), the behaviour log-prob of each token under the distribution it
 * was sampled from ({@code log softmax(logits / temperature)}, before top-k/top-p), and why it ended.
 *
 * <p>A multi-turn completion (tool use) has an {@link Episode}: its tokens interleave the model's turns with the
 * environment's observations ({@link Episode#observation()} marks those; their log-probs are 0 and they are never
 * trained on), and {@code text} is the whole transcript. {@code episode} is null for a single-turn completion.
 */
public record Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason, Episode episode) {
    public Completion {
        if (logprobs != null && logprobs.length != tokenIds.length) {
            throw new IllegalArgumentException(
                    "logprobs has " + logprobs.length + " entries for " + tokenIds.length + " tokens");
        }
        if (episode != null && episode.observation().length != tokenIds.length) {
            throw new IllegalArgumentException("episode marks " + episode.observation().length + " tokens of "
                    + tokenIds.length);
        }
    }

    /** A single-turn completion. */
    public Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason) {
        this(tokenIds, text, logprobs, finishReason, null);
    }
}
