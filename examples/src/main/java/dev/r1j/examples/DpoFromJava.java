package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.EngineThreads;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.preference.PreferenceLossType;
import dev.r1j.preference.PreferenceOptions;
import dev.r1j.preference.PreferencePair;
import dev.r1j.preference.PreferenceStepMetrics;
import dev.r1j.preference.PreferenceTrainer;
import dev.r1j.sft.TrainingOptions;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.tasks.arith.Problem;
import java.util.List;
import java.util.Locale;

/**
 * Preference tuning from Java: pairs of a right and a wrong answer ({@code <answer>42</answer>} over
 * {@code <answer>52</answer>}) and {@link PreferenceTrainer} with DPO (or IPO, SimPO, ORPO) on a tiny llama. The
 * reference is the model's own weights before the first update, its log-probs computed once. What the {@code dpo}
 * recipe stage does with a {@code pairs} file.
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.DpoFromJava [steps] [dpo|ipo|simpo|orpo]}
 */
public final class DpoFromJava {
    private DpoFromJava() {}

    public static List<PreferenceStepMetrics> run(int steps, PreferenceLossType loss, long seed) {
        EngineThreads.apply(1); // one PyTorch thread: toy matrices gain nothing from more, and on busy cores they spin
        List<Problem> problems = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(0, 64, 0, 0)).trainProblems();
        // the wrong answer is off by ten: the pair differs in one digit, as a careless model's answers do
        List<PreferencePair> pairs = problems.stream().map(p -> new PreferencePair(p.prompt(),
                "<answer>" + p.answer() + "</answer>", "<answer>" + (p.answer() + 10) + "</answer>")).toList();
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        PreferenceOptions options = new PreferenceOptions(loss, 0.1, 0.5, TrainingOptions.builder().maxSteps(steps)
                .batchSize(8).maxLength(64).learningRate(3e-3).seed(seed).build());
        try (NDManager manager = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, seed);
                PreferenceTrainer trainer = new PreferenceTrainer(model, null, options, pairs, tokenizer)) {
            return trainer.train(null, null);
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        PreferenceLossType loss = dev.r1j.options.OptionRecords.enumConstant(PreferenceLossType.class, args.length > 1 ? args[1] : "dpo");
        for (PreferenceStepMetrics m : run(steps, loss, 42L)) {
            System.out.printf(Locale.ROOT, "step %3d  loss %.4f  margin %+.4f  accuracy %.2f%n", m.step(), m.loss(),
                    m.rewardMargin(), m.accuracy());
        }
    }
}
