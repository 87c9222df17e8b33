package dev.r1j.core.sampling;

/**
 * One sampled completion: its token ids (the stop string, if any, is cut from {@code text} but the tokens that
 * produced it are kept so that log-probs line up), the behaviour log-prob of each token under the distribution it
 * was sampled from ({@code log softmax(logits / temperature)}, before top-k/top-p), why it ended, and the version of
 * the policy weights that produced it.
 *
 * <p>A multi-turn completion (tool use) has an {@link Episode}: its tokens interleave the model's turns with the
 * environment's observations ({@link Episode#observation()} marks those; their log-probs are 0 and they are never
 * trained on), and {@code text} is the whole transcript. {@code episode} is null for a single-turn completion.
 *
 * <p>{@code weightVersion} is the number of GRPO steps the producing weights had taken (0: the stage's start
 * weights), as tagged by a sampler on a fleet of inference servers; {@link #LOCAL} when the sampler generated on the
 * trainer's own live weights (they are current by construction).
 *
 * <pre>{@code
 * Completion c = new Completion(ids, "42", logprobs, FinishReason.EOS);        // local: weightVersion LOCAL
 * Completion r = new Completion(ids, "42", logprobs, FinishReason.EOS, 7);     // served by weights after step 7
 * }</pre>
 */
public record Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason, Episode episode,
                         long weightVersion) {
    /** The weight version of a completion sampled on the trainer's own current weights. */
    public static final long LOCAL = -1;

    public Completion {
        if (logprobs != null && logprobs.length != tokenIds.length) {
            throw new IllegalArgumentException(
                    "logprobs has " + logprobs.length + " entries for " + tokenIds.length + " tokens");
        }
        if (episode != null && episode.observation().length != tokenIds.length) {
            throw new IllegalArgumentException("episode marks " + episode.observation().length + " tokens of "
                    + tokenIds.length);
        }
        if (weightVersion < LOCAL) {
            throw new IllegalArgumentException("weight version must be >= 0 (or LOCAL), got " + weightVersion);
        }
    }

    /** A single-turn completion sampled on the trainer's own current weights ({@link #LOCAL}). */
    public Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason) {
        this(tokenIds, text, logprobs, finishReason, null, LOCAL);
    }

    /** A completion of a multi-turn episode (null: single-turn), sampled on the trainer's own current weights. */
    public Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason, Episode episode) {
        this(tokenIds, text, logprobs, finishReason, episode, LOCAL);
    }

    /** A single-turn completion produced by the weights of version {@code weightVersion}. */
    public Completion(int[] tokenIds, String text, float[] logprobs, FinishReason finishReason, long weightVersion) {
        this(tokenIds, text, logprobs, finishReason, null, weightVersion);
    }

    /** This completion tagged with the weight version that produced it. */
    public Completion withWeightVersion(long version) {
        return new Completion(tokenIds, text, logprobs, finishReason, episode, version);
    }
}
