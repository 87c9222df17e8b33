package dev.r1j.sft;

import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.OptionRecords;
import java.util.List;

/**
 * Settings of {@link RejectionSampler}; the one declaration of each option (the {@code rejection_sample} stage
 * binds this record inline).
 *
 * <pre>{@code
 * RejectionOptions o = RejectionOptions.defaults().withSamples(16).withMaxPerPrompt(2);
 * }</pre>
 */
public record RejectionOptions(
        @Help("completions sampled per prompt, N") @Default("8") int samplesPerPrompt,
        @Help("maximum completion length in tokens") @Default("512") int maxNewTokens,
        @Help("sampling temperature") @Default("1.0") double temperature,
        @Help("nucleus sampling mass, 1 = off (Holtzman et al. 2020)") @Default("1.0") double topP,
        @Help("strings that end a completion") @Default("[]") List<String> stop,
        @Help("minimum verifier reward to accept") @Default("1.0") double threshold,
        @Help("distinct accepted completions kept per prompt") @Default("1") int maxPerPrompt,
        @Help("reject completions cut at max_new_tokens") @Default("true") boolean dropTruncated,
        @Help("prompts per sampler call") @Default("16") int promptsPerBatch,
        @Help("sampling seed, batch b uses seed + b (in a recipe: the recipe's seed)") @Default("0") long seed) {
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
        return OptionRecords.defaults(RejectionOptions.class);
    }

    public RejectionOptions withSeed(long s) {
        return new RejectionOptions(samplesPerPrompt, maxNewTokens, temperature, topP, stop, threshold, maxPerPrompt,
                dropTruncated, promptsPerBatch, s);
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
