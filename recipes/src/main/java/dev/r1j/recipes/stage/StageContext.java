package dev.r1j.recipes.stage;

import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.ProgressFactory;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * What a running {@link Stage} gets from the recipe runner. An interface so that a stage's own tests can pass a
 * simple implementation.
 *
 * <pre>{@code
 * public void run(StageContext ctx) throws Exception {
 *     Path in = ctx.inputModel().orElseThrow();
 *     try (Progress bar = ctx.progress().start(ctx.stageId(), steps)) {
 *         for (int step = 1; step <= steps; step++) {
 *             ...
 *             ctx.metrics().log(step, Map.of("loss", loss, "reward_mean", reward));
 *             bar.step();
 *             bar.extra(String.format("reward %.2f", reward));
 *         }
 *     }
 *     Path out = ctx.stageDir().resolve("final");
 *     Checkpoint.save(out, model, tokenizer);
 *     ctx.setOutputModel(out);
 * }
 * }</pre>
 */
public interface StageContext {
    /** The whole resolved recipe (after defaults and {@code --set}). */
    Recipe recipe();

    /** 0-based position of this stage in the recipe. */
    int stageIndex();

    /**
     * The stage's name in the recipe, made unique: {@code grpo}, and {@code sft_2} for a second {@code sft}. Used as
     * the {@code stage} field of metrics and as a series name in plots.
     */
    String stageId();

    /** The run directory (exists). */
    Path runDir();

    /**
     * This stage's own directory, {@code <run_dir>/stages/<NN>-<stageId>} (exists): checkpoints, completions,
     * anything to resume from. It survives {@code --resume}.
     */
    Path stageDir();

    /**
     * The current model directory: {@code model.init} for the first stage (which may not exist yet when it names a
     * model that a {@code pretrain} stage is meant to build), then each earlier stage's output. Empty when the recipe
     * gives no {@code model.init} and no stage has produced a model yet.
     */
    Optional<Path> inputModel();

    /** Sets the model directory the next stage starts from; when never called, the input passes through. */
    void setOutputModel(Path modelDir);

    /** The recipe's seed. Mix in {@link #stageIndex()} if two stages must not share a random stream. */
    long seed();

    /**
     * True when the run was started with {@code --resume} and this stage did not finish before: continue from the
     * last checkpoint in {@link #stageDir()} if there is one. (Finished stages are skipped and never see this.)
     */
    boolean resuming();

    /** The run's {@code metrics.jsonl}, writing lines tagged with this stage. */
    MetricsLog metrics();

    /** Progress bars (a live bar on a terminal, periodic plain lines otherwise). */
    ProgressFactory progress();

    /** Where to print messages for the user (standard output of the command line). */
    PrintWriter out();

    /**
     * Records a row of results (e.g. an evaluation's accuracy, mean reward, mean completion length) under a label
     * such as {@code "base"} or {@code "after grpo"}. At the end of the run all labels are printed side by side in
     * one table with the change from the first to the last; they are also kept in {@code results.json}.
     */
    void recordResult(String label, Map<String, Double> metrics);
}
