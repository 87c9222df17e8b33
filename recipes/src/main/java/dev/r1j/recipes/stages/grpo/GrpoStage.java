package dev.r1j.recipes.stages.grpo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.CompletionsLog;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.NonFiniteLossException;
import dev.r1j.core.grpo.PolicySnapshot;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainerState;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.io.TrainingCheckpoints;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.OffloadedModel;
import dev.r1j.core.train.StopRequest;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.VerifierSpec;
import dev.r1j.recipes.stages.StartModel;
import dev.r1j.recipes.stages.TunedModel;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.PromptBudget;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.monitor.MonitorConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs rl-core's {@link GrpoTrainer} on the input model with a {@link LocalSampler} (or, with
 * {@code rollout.servers}, on a fleet of inference servers kept on-policy by {@link FleetRollout}) and the recipe's
 * verifiers.
 * Every step appends a line to {@code metrics.jsonl} (the fields of {@link GrpoStepMetrics#toJson}, plus the time split
 * {@code time_generation_s}, {@code time_reward_s}, {@code time_logprob_s}, {@code time_update_s}, the
 * per-reward {@code reward/<label>_mean} and {@code _std}, {@code frac_reward_zero_std} and the {@link GrpoMonitor}'s
 * reward-hacking fields, whose warnings are also printed); every
 * {@code log_completions_every} steps a sample of completions goes to {@code completions.jsonl} in the stage directory;
 * every {@code checkpoint_every} steps (and at the last) a {@link TrainingCheckpoints} checkpoint is written. On
 * {@code --resume} the newest checkpoint restores weights, optimizer, data position and step, and the trainer derives
 * each step's sampling seed from the seed and the step, so the resumed run logs the same metrics as an uninterrupted
 * one. With {@code async_steps} the sampler reads a second copy of the policy ({@link PolicySnapshot}), or the fleet's
 * servers, on a generation thread, and a checkpoint also stores the batches generated ahead
 * ({@code pending_rollouts}), which a resume scores again rather than losing or regenerating them. With an
 * {@code environment} the episodes run on the local sampler or, with {@code rollout.servers}, on the servers. A non-finite loss stops the run before the optimizer step, leaving the checkpoints as they were. The final
 * model ({@code final/} in the stage directory) is the next stage's input.
 */
public final class GrpoStage implements Stage {
    /** The checkpoint's {@code trainer_state.json} extra holding the batches async_steps generated ahead. */
    private static final String PENDING_KEY = "pending_rollouts";
    private final GrpoOptions options;

    GrpoStage(GrpoOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path input = StartModel.resolve(options.model(), ctx);
        options.engine().apply();
        GrpoConfig cfg = options.trainer();
        Verifier reward = VerifierSpec.build(options.verifiers(), options.combination());
        TrainingCheckpoints ckpts = new TrainingCheckpoints(ctx.stageDir().resolve("checkpoints"));
        if (ctx.resuming()) TrainingCheckpoint.recoverAll(ckpts.dir()).forEach(ctx.out()::println);
        Optional<Path> from = ctx.resuming() ? ckpts.latest() : Optional.empty();
        CompletionsLog completionsLog = new CompletionsLog(ctx.stageDir());
        Path finalDir = ctx.stageDir().resolve("final");

        Path output;
        try (FleetRollout fleet = FleetRollout.open(options.rollout(), input, ctx); // checks servers before any work
             TunedModel policy = TunedModel.open(options.tuning(), options.engine().resolveDevice(), input,
                     from.orElse(null), cfg.seed());
             LoadedModel reference = cfg.beta() > 0 && policy.adapters() == null && !cfg.referenceOffload()
                     ? Checkpoint.load(input, policy.manager()) : null;
             // async_steps: the sampler reads a snapshot of the policy, refreshed after each step, on its own thread
             // (a fleet samples on its servers instead: their weights are the snapshot)
             LoadedModel snapshot = cfg.asyncSteps() > 0 && fleet == null
                     ? Checkpoint.load(from.orElse(input), policy.manager()) : null;
             ToolRunner tools = options.environment() == null ? null : ToolRunner.create(options.environment())) {
            LocalSampler local = new LocalSampler(snapshot != null ? snapshot.model() : policy.model(),
                    policy.tokenizer()).withTools(tools);
            List<Prompt> prompts = options.dataset().prompts(ctx, "dataset", policy.tokenizer(),
                    PromptBudget.of(local, cfg.maxNewTokens()));
            PromptSource source = new PromptSource(prompts, cfg.seed());
            Sampler sampler = fleet != null ? fleet.sampler().withTools(tools, policy.tokenizer()) : local;
            try (GrpoTrainer trainer = new GrpoTrainer(policy.model(), cfg.beta() == 0 ? null
                    : reference != null ? reference.model() : offloadedOrLoraReference(policy, input, ctx), sampler,
                    reward, cfg)) {
                if (snapshot != null) trainer.setWeightSync(new PolicySnapshot(snapshot.model()));
                if (fleet != null) trainer.setWeightSync(fleet.weightSync(policy.tokenizer()));
                int start = from.isPresent() ? restore(from.get(), trainer, source, ctx) : 0;
                completionsLog.truncateAfter(start);
                ctx.metrics().truncateAfter(start);
                GrpoMonitor monitor = new GrpoMonitor(MonitorConfig.defaults());
                int skipped = monitor.replay(earlierRows(ctx));
                if (skipped > 0) {
                    ctx.out().println("hacking monitor: " + skipped + " earlier metrics row(s) lack its fields and were "
                            + "not replayed; its baseline starts from the rest");
                }
                ctx.out().printf("%d training prompts, %d steps of %d prompts x %d completions%n", prompts.size(),
                        cfg.steps(), cfg.promptsPerStep(), cfg.groupSize());
                // a checkpoint of the trainer after its last step: every checkpoint_every steps, on a stop request,
                // and when the fleet fails
                java.util.function.DoubleConsumer save = elapsedS -> {
                    Map<String, Object> extra = new java.util.LinkedHashMap<>();
                    extra.put(PASS_RATES, trainer.passRateState());
                    String pending = trainer.pendingRolloutsJson(); // async_steps' batches generated ahead
                    if (pending != null) extra.put(PENDING_KEY, pending);
                    ckpts.save(new TrainerState(ctx.stageId(), trainer.stepsDone(),
                                    source.cursorAt(trainer.resumePosition()), elapsedS, extra),
                            policy.model(), policy.tokenizer(), trainer.optimizer());
                    ckpts.prune(options.keepCheckpoints());
                };
                double elapsed = 0; // of the last step, for a checkpoint written when the fleet fails
                try (Progress bar = ctx.progress().start(ctx.stageId(), cfg.steps(), start)) {
                    while (trainer.stepsDone() < cfg.steps()) {
                        double last = elapsed;
                        GrpoStepMetrics m = fleet == null ? step(trainer, source, ckpts)
                                : FleetRollout.stepOrCheckpoint(() -> step(trainer, source, ckpts), trainer, start,
                                        () -> save.accept(last), ckpts);
                        Map<String, Object> row = new LinkedHashMap<>(m.toMap());
                        row.remove("step"); // MetricsLog writes step and stage itself
                        row.remove("stage");
                        row.putAll(monitor.observe(m, trainer.lastCompletions(), ctx.out()));
                        row.putAll(trainer.routingMetrics()); // MoE policies: sampler/trainer expert mismatch
                        if (fleet != null) row.putAll(fleet.afterStep(m.step(), trainer.lastCompletions()));
                        elapsed = m.elapsedS();
                        ctx.metrics().log(m.step(), row);
                        if (options.logCompletionsEvery() > 0 && m.step() % options.logCompletionsEvery() == 0) {
                            completionsLog.appendCompletions(m.step(), trainer.lastCompletions(),
                                    options.completionsPerLog());
                        }
                        Runnable checkpoint = () -> save.accept(m.elapsedS());
                        boolean saved = m.step() % options.checkpointEvery() == 0 || m.step() == cfg.steps();
                        if (saved) checkpoint.run();
                        StopRequest.stopIfRequested(m.step(), saved ? () -> {} : checkpoint);
                        bar.step();
                        bar.extra(String.format("reward %.3f acc %.2f len %.1f", m.rewardMean(), m.accuracy(),
                                m.completionLenMean()));
                    }
                }
            }
            // generation_config.json gets the sampling the policy was trained with
            output = policy.saveFinal(finalDir, cfg.samplingParams(cfg.seed()));
        }
        ctx.out().println("saved the trained model to " + output);
        ctx.setOutputModel(output);
    }

    /** The checkpoint's key of the online filter's pass-rate histories. */
    static final String PASS_RATES = "pass_rates";

    /** Restores optimizer, step and data position from a checkpoint (its weights are already loaded). */
    private static int restore(Path checkpoint, GrpoTrainer trainer, PromptSource source, StageContext ctx) {
        TrainerState s = TrainingCheckpoint.restoreOptimizer(checkpoint, trainer.optimizer());
        trainer.restore(s.step(), null, s.elapsedSeconds());
        Object rates = s.extra().get(PASS_RATES);
        trainer.restorePassRates(rates == null ? null : rates.toString());
        source.seek(s.data());
        trainer.restorePending((String) s.extra().get(PENDING_KEY), checkpoint.toString());
        ctx.out().println("resuming " + ctx.stageId() + " from " + checkpoint + " (step " + s.step() + ")");
        return s.step();
    }

    /** This stage's rows already in metrics.jsonl (those of the steps a resumed run keeps), in step order. */
    private static List<ObjectNode> earlierRows(StageContext ctx) {
        return MetricsLog.read(ctx.metrics().file()).stream()
                .filter(r -> r.path("stage").asText().equals(ctx.metrics().stage()))
                .sorted(java.util.Comparator.comparingInt(r -> r.path("step").asInt()))
                .toList();
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

    /**
     * The reference when none is resident: with LoRA the base with adapters off (no copy, so reference_offload has
     * nothing to free), else (reference_offload) the start checkpoint, loaded for each reference pass.
     */
    private static CausalLM offloadedOrLoraReference(TunedModel policy, Path input, StageContext ctx) {
        if (policy.adapters() != null) return policy.loraReference();
        ctx.out().println("reference_offload: the reference is read from " + input + " for each reference pass");
        return new OffloadedModel(policy.model().config(), () -> Checkpoint.load(input, policy.manager()).model());
    }
}
