package dev.r1j.recipes.stages;

import dev.r1j.recipes.cli.Main;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bundled r1-zero recipe shrunk with {@code --set} to run in seconds: a 1-layer width-16 model pretrained for a
 * few steps on a few hundred lines, then GRPO for a few steps of 2 prompts x 2 completions.
 */
final class TinyR1Zero {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final Path dir;

    TinyR1Zero(Path dir) {
        this.dir = dir;
        System.setProperty("r1j.fsync", "false");
    }

    Path runDir() {
        return dir.resolve("run");
    }

    /** The overrides that shrink r1-zero's shape (pretrain, eval, grpo, eval); {@code extra} come after (and win). */
    List<String> args(String recipe, String... extra) {
        return args(recipe, 2, 3, extra);
    }

    /**
     * The overrides that shrink a recipe of pretrain, then evals with one grpo stage at {@code grpoStage}, up to
     * {@code lastStage}; {@code extra} come after (and win).
     */
    List<String> args(String recipe, int grpoStage, int lastStage, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", recipe,
                "--set", "run_dir=" + runDir(),
                "--set", "model.init=" + dir.resolve("base-model"),
                "--set", "stages[0].pretrain.corpus_size=300",
                "--set", "stages[0].pretrain.train_size=40",
                "--set", "stages[0].pretrain.test_size=12",
                "--set", "stages[0].pretrain.sft_size=4",
                "--set", "stages[0].pretrain.hidden_size=16",
                "--set", "stages[0].pretrain.intermediate_size=32",
                "--set", "stages[0].pretrain.num_layers=1",
                "--set", "stages[0].pretrain.num_heads=2",
                "--set", "stages[0].pretrain.num_kv_heads=1",
                "--set", "stages[0].pretrain.steps=6",
                "--set", "stages[0].pretrain.batch_size=8",
                "--set", "stages[0].pretrain.warmup_steps=1"));
        for (int stage = 1; stage <= lastStage; stage++) {
            if (stage != grpoStage) a.addAll(List.of("--set", "stages[" + stage + "].eval.max_new_tokens=24"));
        }
        String grpo = "stages[" + grpoStage + "].grpo.";
        a.addAll(List.of(
                "--set", grpo + "steps=2",
                "--set", grpo + "group_size=2",
                "--set", grpo + "prompts_per_step=2",
                "--set", grpo + "max_new_tokens=24",
                "--set", grpo + "checkpoint_every=1",
                "--set", grpo + "log_completions_every=1"));
        a.addAll(List.of(extra));
        return a;
    }

    int run(List<String> args) {
        Main main = new Main(StageRegistry::defaultRegistry, ProgressFactory.none());
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
    }
}
