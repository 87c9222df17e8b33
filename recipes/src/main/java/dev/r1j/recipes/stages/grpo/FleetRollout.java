package dev.r1j.recipes.stages.grpo;

import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.io.TrainerState;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.core.io.TrainingCheckpoints;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.rollout.fleet.FleetSampler;
import dev.r1j.rollout.fleet.FleetUnavailableException;
import dev.r1j.rollout.fleet.RolloutOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The GRPO stage's side of a server fleet ({@code rollout.servers}): opens the {@link FleetSampler} before any work
 * (so a bad server or {@code sync_dir} is one line before the model loads), pushes the policy before the first step
 * and after every {@code sync_every} steps, and adds {@code time_sync_s} and the fleet's counters to the step's
 * metrics row.
 *
 * <pre>{@code
 * try (FleetRollout fleet = FleetRollout.open(options.rollout(), input, ctx)) {
 *     fleet.pushBeforeStart(policy, stepsDone);
 *     ... row.putAll(fleet.afterStep(policy, step)); ...
 * }
 * }</pre>
 */
final class FleetRollout implements AutoCloseable {
    private final RolloutOptions options;
    private final FleetSampler sampler;
    private final StageContext ctx;

    private FleetRollout(RolloutOptions options, FleetSampler sampler, StageContext ctx) {
        this.options = options;
        this.sampler = sampler;
        this.ctx = ctx;
    }

    /** The fleet of {@code options}, or null when the stage samples on the trainer ({@code servers: []}). */
    static FleetRollout open(RolloutOptions options, Path startModel, StageContext ctx) {
        if (!options.remote()) return null;
        String model = options.model() != null ? options.model() : startModel.toAbsolutePath().normalize()
                .getFileName().toString();
        Path syncDir = options.syncDir() != null ? Path.of(options.syncDir()) : ctx.stageDir().resolve("weight-sync");
        FleetSampler fleet = FleetSampler.open(options, model, syncDir, ctx.out());
        ctx.out().println("sampling on " + fleet.servers().size() + " server(s) " + fleet.servers() + " as '" + model
                + "', weights pushed (" + options.weightSync().name().toLowerCase(java.util.Locale.ROOT) + ") through "
                + syncDir + " every " + options.syncEvery() + " step(s)");
        return new FleetRollout(options, fleet, ctx);
    }

    FleetSampler sampler() {
        return sampler;
    }

    /** The servers get the trainer's weights (those of a resumed checkpoint too) before the first step samples. */
    void pushBeforeStart(CausalLM policy, Tokenizer tokenizer, int stepsDone) {
        FleetSampler.SyncReport r = sampler.publish(policy, tokenizer, stepsDone);
        ctx.out().printf("pushed the weights of step %d to %d of %d server(s) (write %.2f s, load %.2f s)%n",
                stepsDone, r.loaded(), r.servers(), r.writeSeconds(), r.loadSeconds());
    }

    /**
     * Runs one step; when the fleet cannot do its sampling (every server out for {@code timeout_s}), saves a
     * checkpoint of the steps done (the failed step changed nothing: sampling comes before the update, and the data
     * position is that of before the step) and stops the stage saying so.
     */
    static GrpoStepMetrics stepOrCheckpoint(Supplier<GrpoStepMetrics> step, GrpoTrainer trainer, PromptSource source,
            TrainingCheckpoints ckpts, CausalLM policy, Tokenizer tokenizer, StageContext ctx, double elapsedS) {
        EpochCursor.Position before = source.cursor();
        try {
            return step.get();
        } catch (FleetUnavailableException e) {
            String saved = "no step had been taken, nothing to save";
            if (trainer.stepsDone() > 0) {
                ckpts.save(new TrainerState(ctx.stageId(), trainer.stepsDone(), before, elapsedS,
                                Map.of(GrpoStage.PASS_RATES, trainer.passRateState())),
                        policy, tokenizer, trainer.optimizer());
                saved = "saved a checkpoint of step " + trainer.stepsDone() + " in " + ckpts.dir()
                        + "; bring the servers back and rerun with --resume";
            }
            throw new IllegalStateException("step " + (trainer.stepsDone() + 1) + ": " + e.getMessage() + "; " + saved,
                    e);
        }
    }

    /** Pushes the policy when the step is a multiple of sync_every; returns the metrics fields. */
    Map<String, Object> afterStep(CausalLM policy, Tokenizer tokenizer, int step) {
        Map<String, Object> row = new LinkedHashMap<>();
        double sync = 0;
        if (step % options.syncEvery() == 0) {
            long t0 = System.nanoTime();
            try {
                FleetSampler.SyncReport r = sampler.publish(policy, tokenizer, step);
                sync = r.writeSeconds() + r.loadSeconds();
            } catch (FleetUnavailableException e) {
                // the step is done: it is logged and checkpointed as usual; the probes keep trying to load these
                // weights, and the next step's sampling either gets them or stops the stage with a checkpoint
                ctx.out().println("warning: " + e.getMessage());
                sync = (System.nanoTime() - t0) / 1e9;
            }
        }
        FleetSampler.Stats s = sampler.stats();
        row.put("time_sync_s", sync);
        row.put("rollout/servers_in", s.serversIn());
        row.put("rollout/retries", s.retries());
        return row;
    }

    @Override
    public void close() {
        sampler.close();
    }
}
