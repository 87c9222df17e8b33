package dev.r1j.recipes.stages.grpo;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.GrpoPrompt;
import dev.r1j.core.grpo.GrpoRunLog;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.NonFiniteLossException;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.EngineThreads;
import dev.r1j.recipes.stages.InputModel;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.verifiers.Verifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs rl-core's {@link GrpoTrainer} on the input model with a {@link LocalSampler} and the recipe's verifiers.
 * Every step appends a line to {@code metrics.jsonl} (DESIGN section 6 names, plus the time split
 * {@code time_generation_s}, {@code time_reward_s}, {@code time_logprob_s}, {@code time_update_s}); every
 * {@code log_completions_every} steps a sample of completions goes to {@code completions.jsonl} in the stage directory;
 * every {@code checkpoint_every} steps (and at the last) a {@link TrainingCheckpoints} checkpoint is written. On
 * {@code --resume} the newest checkpoint restores weights, optimizer, data position and step, and the trainer derives
 * each step's sampling seed from the seed and the step, so the resumed run logs the same metrics as an uninterrupted
 * one. A non-finite loss stops the run before the optimizer step, leaving the checkpoints as they were. The final
 * model ({@code final/} in the stage directory) is the next stage's input.
 */
public final class GrpoStage implements Stage {
    private final GrpoOptions options;

    GrpoStage(GrpoOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path input = InputModel.require(ctx);
        EngineThreads.apply(options.numThreads());
        GrpoConfig cfg = options.toConfig(ctx.seed());
        Verifier reward = VerifierSpec.build(options.verifiers());
        TrainingCheckpoints ckpts = new TrainingCheckpoints(ctx.stageDir().resolve("checkpoints"));
        Optional<Path> from = ctx.resuming() ? ckpts.latest() : Optional.empty();
        GrpoRunLog completionsLog = new GrpoRunLog(ctx.stageDir());
        Path finalDir = ctx.stageDir().resolve("final");

        try (NDManager manager = Djl.newManager();
             LoadedModel policy = Checkpoint.load(from.map(TrainingCheckpoints::modelDir).orElse(input), manager);
             LoadedModel reference = cfg.beta() > 0 ? Checkpoint.load(input, manager) : null) {
            List<GrpoPrompt> prompts = options.dataset().prompts(ctx, "dataset", policy.tokenizer());
            PromptSource source = new PromptSource(prompts, cfg.seed());
            LocalSampler sampler = new LocalSampler(policy.model(), policy.tokenizer());
            try (GrpoTrainer trainer = new GrpoTrainer(policy.model(), reference == null ? null : reference.model(),
                    sampler, reward, cfg)) {
                int start = from.isPresent() ? restore(from.get(), trainer, source, manager, ctx) : 0;
                completionsLog.truncateAfter(start);
                ctx.metrics().truncateAfter(start);
                ctx.out().printf("%d training prompts, %d steps of %d prompts x %d completions%n", prompts.size(),
                        cfg.steps(), cfg.promptsPerStep(), cfg.groupSize());
                try (Progress bar = ctx.progress().start(ctx.stageId(), cfg.steps(), start)) {
                    while (trainer.stepsDone() < cfg.steps()) {
                        GrpoStepMetrics m = step(trainer, source, ckpts);
                        Map<String, Object> row = new LinkedHashMap<>(m.toJson());
                        row.remove("step"); // MetricsLog writes step and stage itself
                        row.remove("stage");
                        ctx.metrics().log(m.step(), row);
                        if (cfg.logCompletionsEvery() > 0 && m.step() % cfg.logCompletionsEvery() == 0) {
                            completionsLog.appendCompletions(m.step(), trainer.lastCompletions(),
                                    options.completionsPerLog());
                        }
                        if (m.step() % cfg.checkpointEvery() == 0 || m.step() == cfg.steps()) {
                            ckpts.save(new TrainingCheckpoints.State(m.step(), source.position(), m.elapsedS()),
                                    policy.model(), policy.tokenizer(), trainer.optimizer());
                            ckpts.prune(options.keepCheckpoints());
                        }
                        bar.step();
                        bar.extra(String.format("reward %.3f acc %.2f len %.1f", m.rewardMean(), m.accuracy(),
                                m.completionLenMean()));
                    }
                }
            }
            Checkpoint.save(finalDir, policy.model(), policy.tokenizer());
        }
        ctx.out().println("saved the trained model to " + finalDir);
        ctx.setOutputModel(finalDir);
    }

    /** Restores optimizer, step and data position from a checkpoint (its weights are already loaded). */
    private static int restore(Path checkpoint, GrpoTrainer trainer, PromptSource source, NDManager manager,
            StageContext ctx) {
        TrainingCheckpoints.State s = TrainingCheckpoints.readState(checkpoint);
        try (NDManager opt = manager.newSubManager()) {
            trainer.restore(s.step(), TrainingCheckpoints.readOptimizer(checkpoint, opt), s.elapsedS());
        }
        source.seek(s.dataPosition());
        ctx.out().println("resuming " + ctx.stageId() + " from " + checkpoint + " (step " + s.step() + ")");
        return s.step();
    }

    private static GrpoStepMetrics step(GrpoTrainer trainer, PromptSource source, TrainingCheckpoints ckpts) {
        try {
            return trainer.step(source);
        } catch (NonFiniteLossException e) {
            String last = ckpts.latest().map(p -> "the last good checkpoint is " + p + "; fix the cause before resuming")
                    .orElse("no checkpoint had been written yet");
            throw new IllegalStateException(e.getMessage() + "; " + last, e);
        }
    }
}
