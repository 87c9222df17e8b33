package dev.r1j.recipes.stages.grpo;

import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.stages.EngineOptions;
import dev.r1j.options.Inline;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.DatasetSpec;
import dev.r1j.recipes.stages.ModelTuning;
import dev.r1j.rollout.fleet.RolloutOptions;
import dev.r1j.verifiers.CompositeVerifier.Combination;
import java.util.List;

/**
 * Options of the {@code grpo} stage: the dataset and reward, every option of rl-core's {@link GrpoConfig} (bound
 * inline: its keys sit here, declared once there), then what only the stage does (checkpoints, completion logs,
 * threads).
 *
 * <pre>{@code
 * - grpo:
 *     dataset: ${run_dir}/data/arith-train.jsonl
 *     verifiers: [{name: math, gate: format}, {name: format, weight: 0.1}]
 *     steps: 60
 *     learning_rate: 0.0005
 * }</pre>
 */
public record GrpoOptions(
        @Help("training prompts (JSONL with prompt and answer)") DatasetSpec dataset,
        @Help("reward = sum of weight * verifier reward (e.g. [math, {name: format, weight: 0.1}])") @Default("[math]")
                List<VerifierSpec> verifiers,
        @Help("weighted_sum: sum of weight * value per completion | normalized_sum: each verifier's values "
                + "standardised over the group first, then the weighted sum (GDPO-style)") @Default("weighted_sum")
                Combination combination,
        @Help("the trainer's options") @Inline GrpoConfig trainer,
        @Help("multi-turn tool use: the environment answering the model's tool calls ({name: calculator, format: "
                + "code_block, max_turns: 4, ...}); null: single-turn") @Default("null") EnvironmentConfig environment,
        @Help("where completions are sampled: on the trainer (the default), or on a fleet of inference servers "
                + "(servers: [URL, ...]) that get the policy pushed after each step") RolloutOptions rollout,
        @Help("save a checkpoint (model, optimizer, data position, step) every N steps") @Default("50")
                int checkpointEvery,
        @Help("checkpoints kept (the newest), 0 = all") @Default("2") int keepCheckpoints,
        @Help("append a sample of completions to completions.jsonl every N steps, 0 = never") @Default("10")
                int logCompletionsEvery,
        @Help("completions of a step written to completions.jsonl") @Default("16") int completionsPerLog,
        @Help("how the stage runs the engine (num_threads, device)") @Inline EngineOptions engine,
        @Help("start from this checkpoint directory instead of the previous stage's model; null: the previous one")
                @Default("null") String model,
        @Help("LoRA, merge and gradient checkpointing") @Inline ModelTuning tuning) {

    public GrpoOptions {
        if (trainer != null && tuning != null && trainer.asyncSteps() > 0 && tuning.lora() != null
                && (rollout == null || !rollout.remote())) {
            throw new IllegalArgumentException("async_steps " + trainer.asyncSteps() + " cannot be combined with lora "
                    + "on the local sampler yet: its snapshot of the policy copies full weights, not adapters; use "
                    + "async_steps: 0, or sample on rollout.servers");
        }
        if (verifiers == null || verifiers.isEmpty()) {
            throw new IllegalArgumentException("verifiers must name at least one verifier");
        }
        verifiers = List.copyOf(verifiers);
        VerifierSpec.checkGates("verifiers", verifiers);
        if (combination == null) throw new IllegalArgumentException("combination must be given");
        if (rollout == null) throw new IllegalArgumentException("rollout must be given");
        if (checkpointEvery < 1) throw new IllegalArgumentException("checkpoint_every must be >= 1, got " + checkpointEvery);
        if (keepCheckpoints < 0) throw new IllegalArgumentException("keep_checkpoints must be >= 0, got " + keepCheckpoints);
        if (logCompletionsEvery < 0) {
            throw new IllegalArgumentException("log_completions_every must be >= 0 (0 = never), got " + logCompletionsEvery);
        }
        if (completionsPerLog < 1) {
            throw new IllegalArgumentException("completions_per_log must be >= 1, got " + completionsPerLog);
        }
    }
}
