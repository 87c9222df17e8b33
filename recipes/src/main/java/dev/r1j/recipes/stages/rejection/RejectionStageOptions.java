package dev.r1j.recipes.stages.rejection;

import dev.r1j.recipes.config.Default;
import dev.r1j.recipes.config.Help;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.DatasetSpec;
import dev.r1j.sft.RejectionOptions;
import java.util.List;

/**
 * Options of the {@code rejection_sample} stage: the prompts, where the SFT dataset goes, the verifiers and the
 * sft library's {@link RejectionOptions}.
 *
 * <pre>{@code
 * - rejection_sample:
 *     dataset: ${run_dir}/data/arith-train.jsonl
 *     output: ${run_dir}/data/rs.jsonl          # the next sft stage's dataset
 *     samples_per_prompt: 8
 *     max_per_prompt: 1
 * }</pre>
 */
public record RejectionStageOptions(
        @Help("prompts with reference answers (JSONL)") DatasetSpec dataset,
        @Help("the SFT dataset written (prompt, completion, reward per line); ${run_dir} and ${stage_dir} allowed")
                @Default("${stage_dir}/rejection_sampled.jsonl") String output,
        @Help("sample from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model,
        @Help("a completion is verified when the weighted sum of these reaches threshold") @Default("[math]")
                List<VerifierSpec> verifiers,
        @Help("format check a kept completion must pass (reward >= 1); null: none") @Default("format") VerifierSpec format,
        @Help("minimum verifier reward to accept") @Default("1.0") double threshold,
        @Help("completions sampled per prompt, N") @Default("8") int samplesPerPrompt,
        @Help("distinct accepted completions kept per prompt") @Default("1") int maxPerPrompt,
        @Help("reject completions cut at max_new_tokens") @Default("true") boolean dropTruncated,
        @Help("maximum completion length in tokens") @Default("64") int maxNewTokens,
        @Help("sampling temperature") @Default("1.0") double temperature,
        @Help("nucleus sampling mass, 1 = off") @Default("1.0") double topP,
        @Help("strings that end a completion") @Default("[]") List<String> stop,
        @Help("prompts per sampler call") @Default("16") int promptsPerBatch,
        @Help("row label in the results table; null: the stage id") @Default("null") String label,
        @Help("sampling seed (batch b uses seed + b); null: the recipe's seed") @Default("null") Long seed,
        @Help("PyTorch intra-op threads, 0 = the engine's default (1 is fastest for toy models)") @Default("0")
                int numThreads) {

    public RejectionStageOptions {
        if (output == null || output.isBlank()) throw new IllegalArgumentException("output: a file path is required");
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        stop = stop == null ? List.of() : List.copyOf(stop);
        // the library's checks, naming the key (on the parameters: fields are assigned after this block)
        new RejectionOptions(samplesPerPrompt, maxNewTokens, temperature, topP, stop, threshold, maxPerPrompt,
                dropTruncated, promptsPerBatch, 0L);
    }

    /** The library's options; batch {@code b} of the whole prompt list samples with {@code seed + b}. */
    public RejectionOptions toRejectionOptions(long seed) {
        return new RejectionOptions(samplesPerPrompt, maxNewTokens, temperature, topP, stop, threshold, maxPerPrompt,
                dropTruncated, promptsPerBatch, seed);
    }
}
