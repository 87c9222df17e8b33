package dev.r1j.recipes.stages.r1;

import dev.r1j.recipes.cli.Main;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A recipe written into a temporary directory that starts with a tiny pretrain stage (a 1-layer width-16 model
 * trained for 6 steps on 300 lines: seconds), run through {@link Main} as the command line runs it.
 */
final class TinyRecipe {
    /** The pretrain stage; the base model goes to {@code <dir>/base-model} (model.init). */
    static final String PRETRAIN = """
              - pretrain:
                  data_dir: ${run_dir}/data
                  max_digits: 2
                  corpus_size: 300
                  train_size: 40
                  test_size: 12
                  sft_size: 24
                  hidden_size: 16
                  intermediate_size: 32
                  num_layers: 1
                  num_heads: 2
                  num_kv_heads: 1
                  steps: 6
                  batch_size: 8
                  warmup_steps: 1
                  num_threads: 1
            """;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    final Path dir;

    TinyRecipe(Path dir) {
        this.dir = dir;
        System.setProperty("r1j.fsync", "false");
    }

    Path runDir() {
        return dir.resolve("run");
    }

    /** Writes {@code recipe.yaml}: the tiny pretrain stage, then {@code stages} (YAML list items, 2-space indent). */
    Path write(String stages) throws IOException {
        Files.createDirectories(dir);
        Path f = dir.resolve("recipe.yaml");
        Files.writeString(f, "run_dir: " + runDir() + "\nseed: 0\nmodel: {init: " + dir.resolve("base-model")
                + "}\nstages:\n" + PRETRAIN + stages);
        return f;
    }

    int run(ProgressFactory progress, List<String> args) {
        Main main = new Main(StageRegistry::defaultRegistry, progress);
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true))
                .execute(args.toArray(String[]::new));
    }

    int run(String... args) {
        return run(ProgressFactory.none(), List.of(args));
    }

    static List<String> args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) out.add(p.toString());
        return out;
    }
}
