package dev.r1j.recipes.stages.sft;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stages.DatasetSpec;
import dev.r1j.recipes.stages.StartModel;
import dev.r1j.sft.EvalMetrics;
import dev.r1j.sft.SftEncoder;
import dev.r1j.sft.SftFormat;
import dev.r1j.sft.SftOptions;
import dev.r1j.sft.SftTrainer;
import dev.r1j.sft.StepMetrics;
import dev.r1j.sft.TrainEvalSplit;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the sft library's {@link SftTrainer} on the start model (the previous stage's, or the {@code model} option).
 * Each step logs {@code loss, lr, grad_norm, tokens, tokens_per_s, elapsed_s, epoch} to {@code metrics.jsonl}, each
 * evaluation a line with {@code eval_loss}. A resumable rl-core {@link TrainingCheckpoint} is kept in
 * {@code checkpoint/} of the stage directory (every {@code save_every} steps and at the end); on {@code --resume} the
 * run continues from it with the same data order, so it logs the metrics an uninterrupted run would. The trained
 * model ({@code final/}) is the next stage's input.
 */
public final class SftStage implements Stage {
    private final SftStageOptions options;

    SftStage(SftStageOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        Path start = StartModel.resolve(options.model(), ctx);
        options.engine().apply();
        SftOptions sft = options.sft();
        long seed = sft.training().seed();
        Path ckpt = ctx.stageDir().resolve("checkpoint");
        if (ctx.resuming()) TrainingCheckpoint.recover(ckpt).forEach(ctx.out()::println);
        boolean resume = ctx.resuming() && TrainingCheckpoint.exists(ckpt);
        Path finalDir = ctx.stageDir().resolve("final");

        try (NDManager manager = Djl.newManager(); LoadedModel lm = Checkpoint.load(resume ? ckpt : start, manager)) {
            SftEncoder encoder = new SftEncoder(lm.tokenizer(), SftFormat.defaults());
            List<TokenSequence> rows = encoder.encodeAll(rows(options.dataset(), ctx, "dataset"));
            TrainEvalSplit<TokenSequence> data = options.evalDataset() != null
                    ? new TrainEvalSplit<>(rows, encoder.encodeAll(rows(withPath(options.dataset(),
                            options.evalDataset()), ctx, "eval_dataset")))
                    : options.evalFraction() > 0 ? TrainEvalSplit.of(rows, options.evalFraction(), seed)
                    : new TrainEvalSplit<>(rows, List.of());
            try (SftTrainer trainer = new SftTrainer(lm.model(), sft, data.train(), data.eval(), lm.tokenizer().padId())) {
                if (resume) {
                    trainer.resumeFrom(ckpt);
                    ctx.out().println("resuming " + ctx.stageId() + " from " + ckpt + " (step " + trainer.stepsDone() + ")");
                }
                ctx.metrics().truncateAfter(trainer.stepsDone());
                ctx.out().printf("%d training and %d held-out examples (%d dropped: no target within max_length), "
                        + "%d rows, %d steps%n", data.train().size(), data.eval().size(), trainer.droppedExamples(),
                        trainer.trainRows(), trainer.totalSteps());
                try (Progress bar = ctx.progress().start(ctx.stageId(), trainer.totalSteps(), trainer.stepsDone())) {
                    trainer.train(new SftTrainer.Listener() {
                        @Override
                        public void onStep(StepMetrics m) {
                            ctx.metrics().log(m.step(), stepRow(m));
                            bar.step();
                            bar.extra(String.format("loss %.3f", m.loss()));
                        }

                        @Override
                        public void onEval(EvalMetrics e) {
                            ctx.metrics().log(e.step(), Map.of("eval_loss", e.loss()));
                            ctx.out().printf("%s step %d: eval_loss %.4f%n", ctx.stageId(), e.step(), e.loss());
                        }
                    }, ckpt, lm.tokenizer());
                }
            }
            Checkpoint.save(finalDir, lm.model(), lm.tokenizer());
        }
        ctx.out().println("saved the fine-tuned model to " + finalDir);
        ctx.setOutputModel(finalDir);
    }

    static Map<String, Object> stepRow(StepMetrics m) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("loss", m.loss());
        row.put("lr", m.lr());
        row.put("grad_norm", m.gradNorm());
        row.put("tokens", m.tokens());
        row.put("tokens_per_s", m.tokensPerS());
        row.put("elapsed_s", m.elapsedS());
        row.put("epoch", m.epoch());
        return row;
    }

    /** SFT rows need a completion (or assistant turns), not a reference answer. */
    private static List<PromptExample> rows(DatasetSpec d, StageContext ctx, String option) {
        return withPath(d, d.path()).load(ctx, option);
    }

    private static DatasetSpec withPath(DatasetSpec d, String path) {
        return new DatasetSpec(path, d.promptField(), d.messagesField(), d.answerField(), d.answerFormat(),
                d.template(), d.chatTemplate(), List.of(), d.limit());
    }
}
