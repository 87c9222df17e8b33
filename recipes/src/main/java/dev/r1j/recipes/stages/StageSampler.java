package dev.r1j.recipes.stages;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.Sampler;
import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolRunner;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.rollout.fleet.FleetSampler;
import dev.r1j.rollout.fleet.RolloutOptions;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * The sampler of a stage that samples one fixed model (eval, rejection_sample, dpo's pair sampling): a
 * {@link LocalSampler} on it, or, with {@code rollout.servers}, the server fleet after the model has been pushed to
 * every server (as weight version 0), so the servers sample exactly the checkpoint the stage names.
 *
 * <pre>{@code
 * try (Sampler sampler = StageSampler.open(options.rollout(), modelDir, lm.model(), lm.tokenizer(), ctx.stageDir(),
 *         ctx.out(), null)) { ... }
 * }</pre>
 */
public final class StageSampler {
    private StageSampler() {}

    /**
     * @param modelDir the checkpoint {@code model} was loaded from: its directory name is the model id the servers
     *     must list unless {@code rollout.model} says otherwise
     * @param stageDir holds {@code weight-sync/} unless {@code rollout.sync_dir} says otherwise
     * @param tools multi-turn tool use on either sampler (null: single-turn); the caller keeps owning it
     */
    public static Sampler open(RolloutOptions rollout, Path modelDir, CausalLM model, Tokenizer tokenizer, Path stageDir,
            PrintWriter out, ToolRunner tools) {
        if (!rollout.remote()) return new LocalSampler(model, tokenizer).withTools(tools);
        String served = rollout.model() != null ? rollout.model()
                : modelDir.toAbsolutePath().normalize().getFileName().toString();
        Path syncDir = rollout.syncDir() != null ? Path.of(rollout.syncDir()) : stageDir.resolve("weight-sync");
        FleetSampler fleet = FleetSampler.open(rollout, served, syncDir, out);
        try {
            FleetSampler.SyncReport r = fleet.publish(model, tokenizer, 0);
            out.printf("sampling on %d server(s) %s as '%s' (model pushed to %d: write %.2f s, load %.2f s)%n",
                    r.servers(), fleet.servers(), served, r.loaded(), r.writeSeconds(), r.loadSeconds());
            return fleet.withTools(tools, tokenizer);
        } catch (RuntimeException e) {
            fleet.close();
            throw e;
        }
    }
}
