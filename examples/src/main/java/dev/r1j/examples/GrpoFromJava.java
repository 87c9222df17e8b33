package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.grpo.GrpoConfig;
import dev.r1j.core.grpo.GrpoStepMetrics;
import dev.r1j.core.grpo.GrpoTrainer;
import dev.r1j.core.grpo.PromptSource;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * GRPO from Java in about twenty lines: a tiny llama-shaped model, a {@link LocalSampler} for the rollouts, a
 * verifier from the registry, a {@link GrpoConfig} and the {@link GrpoTrainer}, on arithmetic prompts.
 *
 * <p>The task is deliberately the first thing an R1-Zero run must learn, so that it is learnable in seconds from
 * random weights: answer {@code 347+185=} with a bare number (the {@code format} verifier with
 * {@code pattern: \d+}). A random model writes digits, operators and tag letters in equal measure; the reward
 * mean climbs as GRPO makes digits, and stopping after them, the usual output. Swap the verifier for
 * {@code math} and start from a pretrained checkpoint ({@code Checkpoint.load}) for the real thing.
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.GrpoFromJava [steps]}
 */
public final class GrpoFromJava {
    private GrpoFromJava() {}

    /** Trains for {@code steps} GRPO steps, handing each step's metrics to {@code onStep}; returns them all. */
    public static List<GrpoStepMetrics> run(int steps, long seed, Consumer<GrpoStepMetrics> onStep) {
        List<Prompt> prompts = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(0, 500, 0, 0))
                .trainProblems().stream()
                .map(p -> new Prompt(p.prompt(), Map.of("answer", Long.toString(p.answer())))).toList();
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        Verifier reward = VerifierRegistry.defaultRegistry().create("format", Map.of("pattern", "\\d+"));
        GrpoConfig config = GrpoConfig.builder().groupSize(8).promptsPerStep(8).maxNewTokens(4)
                .learningRate(1e-2).clip(0.2, 0.28).steps(steps).seed(seed).build();
        try (NDManager manager = Djl.newManager();
                Transformer policy = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, seed);
                LocalSampler sampler = new LocalSampler(policy, tokenizer);
                GrpoTrainer trainer = new GrpoTrainer(policy, null, sampler, reward, config)) {
            return trainer.train(new PromptSource(prompts, seed), onStep);
        }
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        run(steps, 42L, m -> System.out.printf(Locale.ROOT,
                "step %3d  reward %.3f  loss %+.4f  entropy %.3f  length %.1f  %.2f s%n", m.step(), m.rewardMean(),
                m.loss(), m.entropy(), m.completionLenMean(), m.stepS()));
    }
}
