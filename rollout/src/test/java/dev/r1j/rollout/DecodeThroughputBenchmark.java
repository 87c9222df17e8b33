package dev.r1j.rollout;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.SamplingParams;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Decode throughput of {@link LocalSampler}: 4 prompts x G = 16 completions of a llama with hidden 256, 4 layers,
 * forced to their full length (the tokenizer has no EOS and there are no stop strings); the same with
 * {@link NaiveSampler} (a full forward over every sequence at every step, no KV cache) as a ratio; and the cost per
 * generated token at 64, 128, 256 and 512 new tokens, which the cache should keep nearly flat. Not a test:
 * {@code mvn -B -Pbench -pl rollout -am test -Dtest=DecodeThroughputBenchmark -Dsurefire.failIfNoSpecifiedTests=false}
 * The naive run is quadratic in length, so by default it (and the cached rate it is compared with) uses 64 new
 * tokens; {@code -Dnaive.tokens=256} compares at the full length (over 10 minutes on a busy 2-core machine).
 */
class DecodeThroughputBenchmark {
    static final int VOCAB = 512;
    static final int HIDDEN = 256;
    static final int LAYERS = 4;
    static final int HEADS = 4;
    static final int INTERMEDIATE = 688;
    static final int PROMPTS = 4;
    static final int G = 16;
    static final int NEW_TOKENS = 256;

    /** One character per id above the 3 specials, so every id the model can emit decodes. */
    static TestCharTokenizer tokenizer() {
        StringBuilder alphabet = new StringBuilder();
        for (int i = 0; i < VOCAB - TestCharTokenizer.FIRST; i++) alphabet.append((char) (0x4E00 + i));
        return new TestCharTokenizer(alphabet.toString(), false);
    }

    static List<String> prompts(TestCharTokenizer tok) {
        int[] lengths = {24, 31, 17, 40};
        String[] out = new String[PROMPTS];
        for (int p = 0; p < PROMPTS; p++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < lengths[p]; i++) sb.append(tok.alphabet.charAt((p * 97 + i * 31) % tok.alphabet.length()));
            out[p] = sb.toString();
        }
        return List.of(out);
    }

    static SamplingParams params(int newTokens) {
        return new SamplingParams(G, newTokens, 1.0, 1.0, 0, List.of(), 7);
    }

    static String describe(DecodeStats s) {
        double total = s.totalNanos() / 1e9;
        return String.format("%d tokens in %.2f s = %.0f tokens/s; prefill %.3f s, decode forwards %.2f s"
                        + " (%d steps, %.2f ms/step, %d row-steps), sampling %.2f s, compaction %.3f s (%d)",
                s.generatedTokens(), total, s.generatedTokens() / total, s.prefillNanos() / 1e9,
                s.forwardNanos() / 1e9, s.steps(), s.forwardNanos() / 1e6 / Math.max(1, s.steps()), s.rowSteps(),
                s.sampleNanos() / 1e9, s.compactNanos() / 1e9, s.compactions());
    }

    @Test
    void run() {
        int naiveTokens = Integer.getInteger("naive.tokens", 64);
        TestCharTokenizer tok = tokenizer();
        List<String> prompts = prompts(tok);
        try (NDManager root = Djl.newManager();
                Transformer model = Transformer.create(
                        ModelConfig.llama(VOCAB, HIDDEN, INTERMEDIATE, LAYERS, HEADS, HEADS, 1024), root, 1)) {
            System.out.printf("PyTorch intra-op threads: %s (-Dai.djl.pytorch.num_threads)%n",
                    System.getProperty("ai.djl.pytorch.num_threads", "engine default"));
            System.out.printf("model: llama hidden %d, %d layers, %d heads, intermediate %d, vocab %d (%,d parameters);"
                    + " %d prompts (%s tokens) x G=%d, temperature 1, no EOS, no stop strings%n", HIDDEN, LAYERS, HEADS,
                    INTERMEDIATE, VOCAB, model.parameterCount(), PROMPTS,
                    prompts.stream().map(p -> String.valueOf(p.length() + 1)).toList(), G);
            LocalSampler cached = new LocalSampler(model, tok);
            cached.sample(prompts, params(32)); // warm-up: allocator, first-call paths

            cached.sample(prompts, params(NEW_TOKENS));
            DecodeStats main = cached.lastStats();
            double cachedRate = main.generatedTokens() / (main.totalNanos() / 1e9);
            System.out.println("cached, " + NEW_TOKENS + " new tokens: " + describe(main));

            System.out.println("cost per generated token by completion length (cached):");
            for (int n : new int[] {64, 128, 256, 512}) {
                cached.sample(prompts, params(n));
                DecodeStats s = cached.lastStats();
                System.out.printf("  %3d new tokens: %.3f ms/token overall, decode forward %.2f ms/step (%.3f ms/token),"
                        + " sampling %.3f ms/token, prefill %.3f s%n", n, s.totalNanos() / 1e6 / s.generatedTokens(),
                        s.forwardNanos() / 1e6 / s.steps(), s.forwardNanos() / 1e6 / s.rowSteps(),
                        s.sampleNanos() / 1e6 / s.generatedTokens(), s.prefillNanos() / 1e9);
            }

            NaiveSampler naive = new NaiveSampler(model, tok);
            // the cached rate at the naive run's length, measured right before it (the machine is shared)
            cached.sample(prompts, params(naiveTokens));
            DecodeStats ref = cached.lastStats();
            double refRate = ref.generatedTokens() / (ref.totalNanos() / 1e9);
            long t0 = System.nanoTime();
            long generated = naive.sample(prompts, params(naiveTokens)).stream()
                    .flatMap(g -> g.completions().stream()).mapToLong(c -> c.tokenIds().length).sum();
            double naiveRate = generated / ((System.nanoTime() - t0) / 1e9);
            System.out.printf("naive (full forward per step), %d new tokens: %d tokens at %.1f tokens/s;"
                    + " cached at the same length %.0f tokens/s%n", naiveTokens, generated, naiveRate, refRate);
            System.out.printf("RESULT: cached %.0f tokens/s (%d prompts x G=%d, %d new tokens); cached/naive %.1fx at %d"
                    + " new tokens%n", cachedRate, PROMPTS, G, NEW_TOKENS, refRate / naiveRate, naiveTokens);
        }
    }
}
