package dev.r1j.examples;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.rollout.LocalSampler;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * R1J as a library inside another Java program: load a checkpoint (Hugging Face layout), score a text token by
 * token, and sample completions, with no recipe and no command line.
 *
 * <pre>{@code
 * EmbeddingR1J.Result r = EmbeddingR1J.run(Path.of("runs/r1-zero/final"), "347+185=<answer>532</answer>",
 *         "12+7=", 4, 32, 1L);
 * r.logProbs();      // log p(token t+1 | tokens ..t), one per token after the first
 * r.completions();   // 4 sampled completions of "12+7=" with their own log-probs
 * }</pre>
 *
 * <p>Run: {@code java -cp "examples/target/examples-0.1.0-SNAPSHOT.jar:recipes/target/recipes.jar:recipes/target/lib/*"
 * dev.r1j.examples.EmbeddingR1J [CHECKPOINT_DIR]} (without a directory it saves and uses a random tiny model).
 */
public final class EmbeddingR1J {
    private EmbeddingR1J() {}

    /**
     * What the example computed.
     *
     * @param tokenIds the scored text's token ids, BOS first when the tokenizer has one
     * @param logProbs {@code logProbs[t] = log p(tokenIds[t + 1] | tokenIds[..t])}
     * @param completions the sampled completions of the prompt
     */
    public record Result(int[] tokenIds, float[] logProbs, List<Completion> completions) {}

    /** Loads {@code checkpoint}, scores {@code text} and samples {@code n} completions of {@code prompt}. */
    public static Result run(Path checkpoint, String text, String prompt, int n, int maxNewTokens, long seed) {
        try (NDManager manager = Djl.newManager(); LoadedModel loaded = Checkpoint.load(checkpoint, manager)) {
            LocalSampler sampler = new LocalSampler(loaded.model(), loaded.tokenizer());
            int[] ids = sampler.encodePrompt(text);                 // the same BOS handling as generation
            float[] logProbs;
            try (NDManager step = manager.newSubManager()) {
                NDArray input = step.create(Arrays.stream(ids).asLongStream().toArray(), new Shape(1, ids.length));
                NDArray mask = step.ones(new Shape(1, ids.length), DataType.INT64);
                logProbs = LogProbs.tokenLogProbs(loaded.model(), input, mask).toFloatArray();
            }
            List<Completion> completions = sampler.sample(List.of(prompt),
                    new SamplingParams(n, maxNewTokens, 1.0, 1.0, 0, List.of(), seed)).get(0).completions();
            return new Result(ids, logProbs, completions);
        }
    }

    public static void main(String[] args) throws IOException {
        Path dir = args.length > 0 ? Path.of(args[0]) : randomTinyModel(Files.createTempDirectory("r1j-embed"));
        String text = "347+185=<think>7+5=12,4+8+1=13,3+1+1=5</think><answer>532</answer>";
        Result r = run(dir, text, "12+7=", 4, 32, 1L);
        System.out.printf(Locale.ROOT, "%s: log p(text) = %.3f over %d tokens%n", dir,
                sum(r.logProbs()), r.logProbs().length);
        for (Completion c : r.completions()) {
            System.out.printf(Locale.ROOT, "  12+7=%-40s log p = %8.3f  (%s)%n", c.text(), sum(c.logprobs()),
                    c.finishReason());
        }
    }

    /** Saves an untrained tiny llama with the arithmetic tokenizer into {@code dir} (so the example runs alone). */
    static Path randomTinyModel(Path dir) {
        CharTokenizer tokenizer = ArithmeticVocabulary.tokenizer();
        try (NDManager manager = Djl.newManager();
                Transformer model = Transformer.create(ModelConfig.tinyLlama(tokenizer.vocabSize()), manager, 7L)) {
            Checkpoint.save(dir, model, tokenizer);
        }
        return dir;
    }

    private static double sum(float[] xs) {
        double s = 0;
        for (float x : xs) s += x;
        return s;
    }
}
