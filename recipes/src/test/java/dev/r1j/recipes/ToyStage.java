package dev.r1j.recipes;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stage.StageProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stage for the framework's tests only: counts steps, logs deterministic metrics, checkpoints its step in its
 * stage directory (so {@code --resume} continues), and hands the next stage a "model" whose generation is one more
 * than its input's. {@code fail_at} makes it throw at a step, to test resuming.
 */
public final class ToyStage implements Stage {
    public enum LossType { GRPO, DAPO, DR_GRPO }

    public record Clip(
            @Help("lower clip ε") @Default("0.2") double low,
            @Help("upper clip ε (DAPO clip-higher)") @Default("0.28") double high) {
        public Clip {
            if (low < 0 || high < 0) {
                throw new IllegalArgumentException("clip bounds must be >= 0, got low=" + low + " high=" + high);
            }
        }
    }

    public record VerifierRef(@Help("verifier name") String name, @Help("weight in the sum") @Default("1.0") double weight) {}

    public record Options(
            @Help("JSONL dataset") Path dataset,
            @Help("optimizer steps") @Default("3") int steps,
            @Help("learning rate") @Default("0.001") double lr,
            @Help("loss aggregation") @Default("grpo") LossType lossType,
            @Help("clip range") Clip clip,
            @Help("verifiers and weights") @Default("[{name: math}]") List<VerifierRef> verifiers,
            @Help("throw at this step (0: never)") @Default("0") int failAt) {
        public Options {
            if (steps < 1) {
                throw new IllegalArgumentException("steps must be at least 1, got " + steps);
            }
        }
    }

    public static final class Provider implements StageProvider<Options> {
        @Override
        public String name() {
            return "toy";
        }

        @Override
        public String description() {
            return "a counting stage for tests";
        }

        @Override
        public Class<Options> optionsType() {
            return Options.class;
        }

        @Override
        public Stage create(Options options) {
            return new ToyStage(options);
        }
    }

    private final Options options;

    ToyStage(Options options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) throws Exception {
        Path ckpt = ctx.stageDir().resolve("ckpt");
        int start = ctx.resuming() && Files.exists(ckpt) ? Integer.parseInt(Files.readString(ckpt).trim()) : 0;
        int generation = 0;
        if (ctx.inputModel().isPresent() && Files.exists(ctx.inputModel().get().resolve("generation"))) {
            generation = Integer.parseInt(Files.readString(ctx.inputModel().get().resolve("generation")).trim());
        }
        try (Progress p = ctx.progress().start(ctx.stageId(), options.steps(), start)) {
            for (int step = start + 1; step <= options.steps(); step++) {
                if (step == options.failAt()) {
                    throw new IllegalStateException("injected failure at step " + step);
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("reward_mean", generation + step / (double) options.steps());
                m.put("loss", 1.0 / step);
                m.put("kl", 0.01 * step);
                ctx.metrics().log(step, m);
                Files.writeString(ckpt, Integer.toString(step));
                p.step();
                p.extra("reward " + m.get("reward_mean"));
            }
        }
        Path out = ctx.stageDir().resolve("model");
        Files.createDirectories(out);
        Files.writeString(out.resolve("generation"), Integer.toString(generation + 1));
        ctx.setOutputModel(out);
        Map<String, Double> result = new LinkedHashMap<>();
        result.put("accuracy", (generation + 1) / 10.0);
        result.put("seed", (double) ctx.seed());
        ctx.recordResult(ctx.stageId(), result);
    }
}
