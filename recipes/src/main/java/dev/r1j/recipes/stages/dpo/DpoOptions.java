package dev.r1j.recipes.stages.dpo;

import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.preference.PreferenceOptions;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.recipes.stages.ModelTuning;
import dev.r1j.options.Inline;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.DatasetSpec;
import java.util.List;

/**
 * Options of the {@code dpo} stage: where the pairs come from (a JSONL of {@code prompt/chosen/rejected}, or
 * groups sampled from the start model and scored by verifiers), 
 * Exactly one of {@code pairs} and {@code dataset} is given. The
 * loss and training keys are preference's {@link PreferenceOptions}, bound inline.
 *
 * <pre>{@code
 * - dpo:
 *     dataset: ${run_dir}/data/arith-train.jsonl   # sample groups, a verified completion is chosen over a failed one
 *     samples_per_prompt: 8
 *     loss_type: dpo
 *     beta: 0.1
 *     training: {epochs: 1, batch_size: 8, learning_rate: 1e-4}
 * }</pre>
 */
public record DpoOptions(
        @Help("JSONL of prompt, chosen, rejected (plain or conversational); null: sample pairs from dataset")
                @Default("null") String pairs,
        @Help("prompts with reference answers to sample scored groups from; null: use pairs") @Default("null")
                DatasetSpec dataset,
        @Help("start from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model,
        @Help("the loss and its training (preference's options)") @Inline PreferenceOptions preference,
        @Help("sampled pairs: reward = weighted sum of these verifiers") @Default("[math]") List<VerifierSpec> verifiers,
        @Help("sampled pairs: a completion with reward >= threshold is chosen over one below") @Default("1.0")
                double threshold,
        @Help("sampled pairs: completions sampled per prompt") @Default("8") int samplesPerPrompt,
        @Help("sampled pairs: at most this many (chosen, rejected) pairs per prompt, a seeded choice") @Default("1")
                int maxPairsPerPrompt,
        @Help("sampled pairs: maximum completion length in tokens") @Default("64") int maxNewTokens,
        @Help("sampled pairs: sampling temperature") @Default("1.0") double temperature,
        @Help("sampled pairs: nucleus sampling mass, 1 = off") @Default("1.0") double topP,
        @Help("sampled pairs: strings that end a completion") @Default("[]") List<String> stop,
        @Help("sampled pairs: prompts per sampler call") @Default("16") int promptsPerBatch,
        @Help("seed of sampling and pair choice (in a recipe: the recipe's seed); training.seed defaults to it")
                @Default("0") long seed,
        @Help("where completions are sampled: on the trainer (the default), or on a fleet of inference servers "
                + "(servers: [URL, ...]) that get this stage's model pushed first") RolloutOptions rollout,
        @Help("how the stage runs the engine (num_threads, device)") @Inline EngineOptions engine,
        @Help("LoRA, merge and gradient checkpointing") @Inline ModelTuning tuning) {

    public DpoOptions {
        if (rollout == null) throw new IllegalArgumentException("rollout must be given");
        if ((pairs == null) == (dataset == null)) {
            throw new IllegalArgumentException("give exactly one of pairs (a JSONL of prompt/chosen/rejected) and "
                    + "dataset (prompts to sample scored groups from)");
        }
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        stop = stop == null ? List.of() : List.copyOf(stop);
        if (samplesPerPrompt < 2) {
            throw new IllegalArgumentException("samples_per_prompt must be >= 2 (a pair needs two), got " + samplesPerPrompt);
        }
        if (maxPairsPerPrompt < 1) {
            throw new IllegalArgumentException("max_pairs_per_prompt must be >= 1, got " + maxPairsPerPrompt);
        }
        if (maxNewTokens < 1) throw new IllegalArgumentException("max_new_tokens must be >= 1, got " + maxNewTokens);
        if (promptsPerBatch < 1) throw new IllegalArgumentException("prompts_per_batch must be >= 1, got " + promptsPerBatch);
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("threshold must be a number");
        if (preference == null) throw new IllegalArgumentException("the preference options must be given");
    }
}
