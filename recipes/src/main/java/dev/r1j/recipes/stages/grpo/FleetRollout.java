package dev.r1j.recipes.stages.grpo;

import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.ScoredCompletion;
import dev.r1j.core.io.TrainingCheckpoints;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.WeightSync;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.rollout.fleet.FleetSampler;
import dev.r1j.rollout.fleet.FleetUnavailableException;
import dev.r1j.rollout.fleet.RolloutOptions;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The GRPO stage's side of a server fleet ({@code rollout.servers}): opens the {@link FleetSampler} before any work
 * (so a bad server or {@code sync_dir} is one line before the model loads), is the trainer's {@link WeightSync}
 * (the trainer publishes the start weights before the first generation and the policy after each step, or, with
 * {@code async_steps}, when the batches of older weights are generated; every {@code sync_every}-th version is
 * pushed), and adds {@code time_sync_s}, the fleet's counters and the batch's staleness to the step's metrics row.
 *
 * <pre>{@code
 * try (FleetRollout fleet = FleetRollout.open(options.rollout(), input, ctx)) {
 *     trainer.setWeightSync(fleet.weightSync(tokenizer));
 *     ... row.putAll(fleet.afterStep(step, trainer.lastCompletions())); ...
 * }
 * }</pre>
 */
final class FleetRollout implements AutoCloseable {
    private final RolloutOptions options;
    private final FleetSampler sampler;
    private final StageContext ctx;
    // guarded by this: pushes come from the trainer thread, metrics are read there too
    private boolean pushed;
    private double syncSeconds;

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

    /**
     * The trainer's weight sync onto this fleet ({@link GrpoTrainer#setWeightSync}). The first publish (the start
     * weights, or a resumed checkpoint's) must reach a server, or it throws before any sampling; later ones push
     * every {@code sync_every}-th version, and one that no server takes is a warning: the step stands, the probes
     * keep trying to load those weights, and the next sampling either gets them or stops the stage with a checkpoint.
     */
    WeightSync weightSync(Tokenizer tokenizer) {
        return (policy, version) -> push(policy, tokenizer, version);
    }

    private synchronized void push(CausalLM policy, Tokenizer tokenizer, int version) {
        if (!pushed) {
            FleetSampler.SyncReport r = sampler.publish(policy, tokenizer, version);
            pushed = true;
            ctx.out().printf("pushed the weights of step %d to %d of %d server(s) (write %.2f s, load %.2f s)%n",
                    version, r.loaded(), r.servers(), r.writeSeconds(), r.loadSeconds());
            return;
        }
        if (version % options.syncEvery() != 0) return;
        long t0 = System.nanoTime();
        try {
            FleetSampler.SyncReport r = sampler.publish(policy, tokenizer, version);
            syncSeconds += r.writeSeconds() + r.loadSeconds();
        } catch (FleetUnavailableException e) {
            ctx.out().println("warning: " + e.getMessage());
            syncSeconds += (System.nanoTime() - t0) / 1e9;
        }
    }

    /**
     * Runs one step; when the fleet cannot do its sampling (every server out for {@code timeout_s}), saves a
     * checkpoint of the steps done with {@code saveCheckpoint} (the trainer's state after its last step: the failed
     * sampling rewound its draw, and with {@code async_steps} the batches generated before the failure are pending
     * in it) and stops the stage saying so.
     *
     * @param start the steps done when this run of the stage began (a resumed checkpoint's)
     */
    static GrpoStepMetrics stepOrCheckpoint(Supplier<GrpoStepMetrics> step, GrpoTrainer trainer, int start,
            Runnable saveCheckpoint, TrainingCheckpoints ckpts) {
        try {
            return step.get();
        } catch (FleetUnavailableException e) {
            String saved;
            if (trainer.stepsDone() > start) {
                saveCheckpoint.run();
                saved = "saved a checkpoint of step " + trainer.stepsDone() + " in " + ckpts.dir()
                        + "; bring the servers back and rerun with --resume";
            } else if (start > 0) {
                saved = "no step was taken since the checkpoint of step " + start + ", which stands; bring the "
                        + "servers back and rerun with --resume";
            } else {
                saved = "no step had been taken, nothing to save";
            }
            throw new IllegalStateException("step " + (trainer.stepsDone() + 1) + ": " + e.getMessage() + "; " + saved,
                    e);
        }
    }

    /**
     * The metrics fields of {@code step}: the seconds its pushes took ({@code time_sync_s}), the servers in, the
     * requests retried so far, and how stale its batch was: {@code rollout/staleness_mean} and {@code _max} of
     * {@code step - 1 - weight_version} over its completions (0 when each was sampled on the weights of the step
     * before; {@code async_steps} and {@code sync_every} make it larger).
     */
    Map<String, Object> afterStep(int step, List<ScoredCompletion> completions) {
        Map<String, Object> row = new LinkedHashMap<>();
        synchronized (this) {
            row.put("time_sync_s", syncSeconds);
            syncSeconds = 0;
        }
        FleetSampler.Stats s = sampler.stats();
        row.put("rollout/servers_in", s.serversIn());
        row.put("rollout/retries", s.retries());
        double sum = 0;
        long max = 0;
        int n = 0;
        for (ScoredCompletion c : completions) {
            long v = c.completion().weightVersion();
            if (v == Completion.LOCAL) continue;
            long stale = step - 1 - v;
            sum += stale;
            max = Math.max(max, stale);
            n++;
        }
        if (n > 0) {
            row.put("rollout/staleness_mean", sum / n);
            row.put("rollout/staleness_max", (double) max);
        }
        return row;
    }

    @Override
    public void close() {
        sampler.close();
    }
}
