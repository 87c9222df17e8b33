package dev.r1j.sft;

import dev.r1j.core.sampling.SamplingParams;
import java.util.List;

/**
 * Settings of {@link RejectionSampler}.
 *
 * @param samplesPerPrompt N completions sampled per prompt; default 8
 * @param maxNewTokens     completion length limit; default 512
 * @param temperature      sampling temperature; default 1.0 (diverse candidates)
 * @param topP             nucleus sampling; default 1.0 (off)
 * @param stop             stop strings; default none
 * @param threshold        a completion is accepted when the verifier's reward is at least this; default 1.0
 * @param maxPerPrompt     at most this many distinct accepted completions are kept per prompt; default 1
 * @param dropTruncated    reject completions cut by {@code max_new_tokens}; default true
 * @param promptsPerBatch  prompts handed to the sampler per call; default 16
 * @param seed             sampling seed (batch {@code b} samples with {@code seed + b}); default 0
 *
 * <pre>{@code
 * RejectionOptions o = RejectionOptions.defaults().withSamples(16).withMaxPerPrompt(2);
 * }</pre>
 */
public record RejectionOptions(int samplesPerPrompt, int maxNewTokens, double temperature, double topP,
                               List<String> stop, double threshold, int maxPerPrompt, boolean dropTruncated,
                               int promptsPerBatch, long seed) {
    public RejectionOptions {
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samples_per_prompt must be >= 1, got " + samplesPerPrompt);
        if (maxPerPrompt < 1) throw new IllegalArgumentException("max_per_prompt must be >= 1, got " + maxPerPrompt);
        if (promptsPerBatch < 1) throw new IllegalArgumentException("prompts_per_batch must be >= 1, got " + promptsPerBatch);
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("threshold must be a number");
        stop = stop == null ? List.of() : List.copyOf(stop);
        // the remaining sampling settings are checked with SamplingParams' own messages
        new SamplingParams(samplesPerPrompt, maxNewTokens, temperature, topP, 0, stop, seed);
    }

    public static RejectionOptions defaults() {
        return new RejectionOptions(8, 512, 1.0, 1.0, List.of(), 1.0, 1, true, 16, 0L);
    }

    public RejectionOptions withSamples(int n) {
        return new RejectionOptions(n, maxNewTokens, temperature, topP, stop, threshold, maxPerPrompt, dropTruncated,
                promptsPerBatch, seed);
    }

    public RejectionOptions withMaxPerPrompt(int k) {
        return new RejectionOptions(samplesPerPrompt, maxNewTokens, temperature, topP, stop, threshold, k,
                dropTruncated, promptsPerBatch, seed);
    }

    public RejectionOptions withPromptsPerBatch(int p) {
        return new RejectionOptions(samplesPerPrompt, maxNewTokens, temperature, topP, stop, threshold, maxPerPrompt,
                dropTruncated, p, seed);
    }

    /** The sampler's parameters for batch {@code batch}. */
    public SamplingParams params(int batch) {
        return new SamplingParams(samplesPerPrompt, maxNewTokens, temperature, topP, 0, stop, seed + batch);
    }
}
