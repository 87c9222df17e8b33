package dev.r1j.examples;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.EngineThreads;
import dev.r1j.core.data.PromptExample;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.sft.RejectionOptions;
import dev.r1j.sft.RejectionSampler;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Rejection sampling from Java: a {@link LocalSampler} draws N completions per prompt, a verifier from the registry
 * judges them, and {@link RejectionSampler} keeps the accepted, distinct ones (at most {@code max_per_prompt} per
 * prompt) as an SFT JSONL. Here the model is a random tiny llama and the verifier accepts completions made of
 * digits only (the {@code format} verifier with {@code pattern: \d+}), so some pass and most do not; with a trained
 * model and {@code math} it is the {@code rejection_sample} recipe stage.
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.RejectionSamplingFromJava out.jsonl}
 */
public final class RejectionSamplingFromJava {
    private RejectionSamplingFromJava() {}

    public static RejectionSampler.Report run(Path output, int samplesPerPrompt, int maxPerPrompt, long seed) {
        EngineThreads.apply(1); // one PyTorch thread: toy matrices gain nothing from more, and on busy cores they spin
        List<PromptExample> prompts = new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(0, 32, 0, 0))
                .trainProblems().stream()
                .map(p -> new PromptExample(p.prompt(), null, null, Map.of("answer", Long.toString(p.answer())), "arith"))
                .toList();
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        Verifier digitsOnly = VerifierRegistry.defaultRegistry().create("format", Map.of("mode", "regex", "pattern", "\\d+"));
        RejectionOptions options = new RejectionOptions(samplesPerPrompt, 2, 1.0, 1.0, List.of(), 1.0, maxPerPrompt,
                false, 16, seed);
        try (NDManager manager = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, seed)) {
            LocalSampler sampler = new LocalSampler(model, tokenizer);
            return new RejectionSampler(sampler, digitsOnly, null, tokenizer, options).run(prompts, output);
        }
    }

    public static void main(String[] args) {
        Path out = Path.of(args.length > 0 ? args[0] : "rejection_sampled.jsonl");
        RejectionSampler.Report r = run(out, 16, 2, 42L);
        System.out.printf(Locale.ROOT, "accepted %d of %d samples (%.3f); kept %d rows for %d of %d prompts in %s%n",
                r.accepted(), r.samples(), r.acceptanceRate(), r.kept(), r.promptsWithKept(), r.prompts(), out);
    }
}
