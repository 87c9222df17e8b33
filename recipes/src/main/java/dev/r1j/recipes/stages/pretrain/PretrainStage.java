package dev.r1j.recipes.stages.pretrain;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.recipes.report.Progress;
import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageContext;
import dev.r1j.recipes.stages.RunPaths;
import dev.r1j.sft.LmTrainer;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the toy base model of the R1-Zero recipe. Always (re)writes the arithmetic data into {@code data_dir} (it
 * is a deterministic function of the data options, and later stages read it); then, when the input model directory
 * ({@code model.init}) does not hold a checkpoint yet, trains a small llama with a character tokenizer on the
 * pretraining corpus and saves it there atomically. With no {@code model.init} the model goes into the stage
 * directory. An interrupted pretraining starts over on {@code --resume} (it takes minutes; the model directory is
 * only written once training is done).
 */
public final class PretrainStage implements Stage {
    private final PretrainOptions options;

    PretrainStage(PretrainOptions options) {
        this.options = options;
    }

    @Override
    public void run(StageContext ctx) {
        ArithmeticTask task = new ArithmeticTask(options.taskConfig());
        options.engine().apply();
        Path dataDir = RunPaths.resolve(options.dataDir(), ctx);
        Map<String, Path> files = task.writeAll(dataDir);
        ctx.out().println("arithmetic data: " + files.values());

        Path modelDir = ctx.inputModel().orElse(ctx.stageDir().resolve("model"));
        if (Files.isRegularFile(modelDir.resolve(Checkpoint.CONFIG_FILE))) {
            ctx.out().println("model " + modelDir + " exists; pretraining skipped (delete it to rebuild)");
            ctx.setOutputModel(modelDir);
            return;
        }
        long seed = options.trainer().seed();
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        List<TokenSequence> data = new ArrayList<>();
        for (ArithmeticTask.CorpusLine line : task.corpus()) {
            data.add(TokenSequence.allTokens(ArithmeticVocabulary.withBosEos(tokenizer, line.text())));
        }

        try (NDManager manager = Djl.newManager();
             Transformer model = Transformer.create(options.modelConfig(tokenizer.vocabSize()), manager, seed)) {
            ctx.out().printf("pretraining a llama of %,d parameters on %,d lines for %d steps%n", model.parameterCount(),
                    data.size(), options.trainer().steps());
            try (Progress bar = ctx.progress().start(ctx.stageId(), options.trainer().steps())) {
                new LmTrainer(options.trainer()).train(model, data, tokenizer.padId(), m -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("loss", m.loss());
                    row.put("lr", m.lr());
                    row.put("grad_norm", m.gradNorm());
                    row.put("tokens_per_s", m.tokensPerS());
                    row.put("elapsed_s", m.elapsedS());
                    row.put("epoch", m.epoch());
                    ctx.metrics().log(m.step(), row);
                    bar.step();
                    bar.extra(String.format("loss %.3f", m.loss()));
                });
            }
            Checkpoint.save(modelDir, model, tokenizer);
        }
        ctx.out().println("saved the base model to " + modelDir);
        ctx.setOutputModel(modelDir);
    }
}
