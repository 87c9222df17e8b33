package dev.r1j.recipes.stages.rejection;

import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.options.Inline;
import dev.r1j.options.Nullable;
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
        @Help("format check a kept completion must pass (reward >= 1); null: none") @Default("format") @Nullable
                VerifierSpec format,
        @Help("sampling and acceptance (sft's RejectionOptions)") @Inline @Default("{max_new_tokens: 64}")
                RejectionOptions rejection,
        @Help("row label in the results table; null: the stage id") @Default("null") String label,
        @Help("where completions are sampled: on the trainer (the default), or on a fleet of inference servers "
                + "(servers: [URL, ...]) that get this stage's model pushed first") RolloutOptions rollout,
        @Help("how the stage runs the engine (num_threads, device)") @Inline EngineOptions engine) {

    public RejectionStageOptions {
        if (rollout == null) throw new IllegalArgumentException("rollout must be given");
        if (output == null || output.isBlank()) throw new IllegalArgumentException("output: a file path is required");
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        if (rejection == null) throw new IllegalArgumentException("the rejection options must be given");
    }
}
