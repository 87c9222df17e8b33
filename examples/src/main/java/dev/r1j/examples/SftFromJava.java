package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.EngineThreads;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.TokenSequence;
import dev.r1j.sft.EvalMetrics;
import dev.r1j.sft.SftEncoder;
import dev.r1j.sft.SftFormat;
import dev.r1j.sft.SftOptions;
import dev.r1j.sft.SftTrainer;
import dev.r1j.sft.StepMetrics;
import dev.r1j.sft.TrainEvalSplit;
import dev.r1j.sft.TrainingOptions;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.util.List;
import java.util.Locale;

/**
 * Supervised fine-tuning from Java: worked arithmetic solutions ({@code 23+19=} → {@code <think>…</think><answer>42</answer>})
 * encoded with {@link SftEncoder} (the loss is on the completion only), packed, and trained with {@link SftTrainer}
 * on a tiny llama from random weights, with a held-out split. What the {@code sft} recipe stage does, minus the
 * run directory.
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.SftFromJava [steps]}
 */
public final class SftFromJava {
    private SftFromJava() {}

    /** What a run measured: every step, and the held-out loss before training and after. */
    public record Result(List<StepMetrics> steps, double evalLossBefore, double evalLossAfter) {}

    public static Result run(int steps, long seed) {
        EngineThreads.apply(1); // one PyTorch thread: toy matrices gain nothing from more, and on busy cores they spin
        ArithmeticTask task = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(0, 0, 0, 240));
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        SftEncoder encoder = new SftEncoder(tokenizer, SftFormat.defaults());
        List<TokenSequence> examples = task.sftExamples().stream()
                .map(l -> encoder.promptCompletion(l.prompt(), l.completion())).toList();
        TrainEvalSplit<TokenSequence> data = TrainEvalSplit.of(examples, 0.1, seed);
        SftOptions options = new SftOptions(TrainingOptions.builder().maxSteps(steps).batchSize(4).maxLength(96)
                .learningRate(1e-2).warmupSteps(2).seed(seed).build(), true, 0);
        try (NDManager manager = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, seed);
                SftTrainer trainer = new SftTrainer(model, options, data.train(), data.eval(), tokenizer.padId())) {
            double before = trainer.evaluate();
            SftTrainer.Result r = trainer.train(new SftTrainer.Listener() {
                @Override
                public void onStep(StepMetrics m) {}

                @Override
                public void onEval(EvalMetrics e) {}
            }, null, null);
            return new Result(r.steps(), before, r.evals().get(r.evals().size() - 1).loss());
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        Result r = run(steps, 42L);
        for (StepMetrics m : r.steps()) {
            System.out.printf(Locale.ROOT, "step %3d  loss %.4f  lr %.5f  %.0f tokens/s%n", m.step(), m.loss(), m.lr(),
                    m.tokensPerS());
        }
        System.out.printf(Locale.ROOT, "held-out loss %.4f -> %.4f%n", r.evalLossBefore(), r.evalLossAfter());
    }
}
