package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.testing.RootManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link LocalSampler} on the real {@link Transformer} (every model type: the KV cache, left padding and row
 * compaction are the model's own), checked against full forwards of the finished sequences. {@link LocalSamplerTest}
 * checks the same properties on test doubles whose logits are known in closed form.
 */
class TransformerSamplingTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghijklmnop");
    static final int V = TOK.vocabSize();
    @RootManager static NDManager root;

    static Stream<ModelConfig> configs() {
        return Stream.of(ModelConfig.tinyLlama(V), ModelConfig.tinyQwen2(V), ModelConfig.tinyDeepSeekV3(V, 12));
    }

    /** log softmax(logits / temperature)[token], naively in double. */
    static double logSoftmax(float[] logits, int offset, int token, double temperature) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int v = 0; v < V; v++) max = Math.max(max, logits[offset + v] / temperature);
        for (int v = 0; v < V; v++) sum += Math.exp(logits[offset + v] / temperature - max);
        return logits[offset + token] / temperature - max - Math.log(sum);
    }

    static int argmax(float[] logits, int offset) {
        int best = 0;
        for (int v = 1; v < V; v++) if (logits[offset + v] > logits[offset + best]) best = v;
        return best;
    }

    /**
     * Checks every completion against one full forward of prompt + completion (by causality, position
     * {@code P - 1 + k} of that forward is what a from-scratch forward at step k gives): greedy tokens are the
     * argmax there, and the returned log-probs are its log-softmax at {@code temperature} (1 when greedy) at the
     * chosen tokens. Returns the max abs diff.
     */
    static double checkAgainstFullForward(Transformer model, List<CompletionGroup> groups, boolean greedy,
            double temperature) {
        double maxDiff = 0;
        for (CompletionGroup g : groups) {
            for (Completion c : g.completions()) {
                int p = g.promptTokenIds().length;
                float[] full = PeakedTransformer.fullForward(model, PeakedTransformer.concat(g.promptTokenIds(), c.tokenIds()));
                for (int k = 0; k < c.tokenIds().length; k++) {
                    int offset = (p - 1 + k) * V;
                    if (greedy) assertEquals(argmax(full, offset), c.tokenIds()[k], g.prompt() + " step " + k);
                    maxDiff = Math.max(maxDiff, Math.abs(logSoftmax(full, offset, c.tokenIds()[k], temperature) - c.logprobs()[k]));
                }
            }
        }
        return maxDiff;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void greedyIsTheFullForwardArgmaxAndLogprobsAreRecomputedByAFullForward(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = PeakedTransformer.create(config, m, 3, 20f)) {
            LocalSampler sampler = new LocalSampler(model, TOK);
            List<String> prompts = List.of("abc", "ponmlkjih", "d"); // different lengths: left padding in the batch
            List<CompletionGroup> greedy = sampler.sample(prompts, SamplingParams.greedy(12));
            double diff = checkAgainstFullForward(model, greedy, true, 1.0);
            assertTrue(diff < 1e-4, config.modelType() + ": greedy log-probs vs full forward, max abs diff " + diff);

            List<CompletionGroup> sampled = sampler.sample(prompts, new SamplingParams(4, 12, 0.7, 0.9, 8, List.of(), 5));
            diff = checkAgainstFullForward(model, sampled, false, 0.7);
            assertTrue(diff < 1e-4, config.modelType() + ": sampled log-probs vs full forward, max abs diff " + diff);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void batchingPromptsOfDifferentLengthsEqualsOneAtATime(ModelConfig config) {
        try (NDManager m = root.newSubManager(); Transformer model = PeakedTransformer.create(config, m, 4, 20f)) {
            LocalSampler sampler = new LocalSampler(model, TOK);
            List<String> prompts = List.of("ab", "cdefghijklmn", "o", "aaaa");
            List<CompletionGroup> batched = sampler.sample(prompts, SamplingParams.greedy(10));
            for (int p = 0; p < prompts.size(); p++) {
                Completion alone = sampler.sample(List.of(prompts.get(p)), SamplingParams.greedy(10)).get(0).completions().get(0);
                Completion inBatch = batched.get(p).completions().get(0);
                assertArrayEquals(alone.tokenIds(), inBatch.tokenIds(), config.modelType() + " " + prompts.get(p));
                assertArrayEquals(alone.logprobs(), inBatch.logprobs(), 1e-4f);
            }
        }
    }

    /** The first token's logits after {@code prompt}, from a full forward. */
    static float[] firstLogits(Transformer model, LocalSampler sampler, String prompt) {
        int[] ids = sampler.encodePrompt(prompt);
        return Arrays.copyOfRange(PeakedTransformer.fullForward(model, ids), (ids.length - 1) * V, ids.length * V);
    }

    static long[] firstTokenCounts(LocalSampler sampler, String prompt, SamplingParams p) {
        long[] counts = new long[V];
        for (Completion c : sampler.sample(List.of(prompt), p).get(0).completions()) counts[c.tokenIds()[0]]++;
        return counts;
    }

    /** softmax(z / t) restricted to {@code keep} (renormalised), in double precision. */
    static double[] expected(float[] z, double t, int[] keep, long n) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int k : keep) max = Math.max(max, z[k]);
        double[] e = new double[keep.length];
        for (int i = 0; i < keep.length; i++) sum += e[i] = Math.exp((z[keep[i]] - max) / t);
        for (int i = 0; i < keep.length; i++) e[i] = e[i] / sum * n;
        return e;
    }

    /** Token ids by descending logit, worked out in the test. */
    static int[] byLogit(float[] z) {
        return java.util.stream.IntStream.range(0, V).boxed()
                .sorted((a, b) -> Float.compare(z[b], z[a])).mapToInt(Integer::intValue).toArray();
    }

    static Set<Integer> support(long[] counts) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < counts.length; i++) if (counts[i] > 0) s.add(i);
        return s;
    }

    static Set<Integer> set(int[] ids) {
        Set<Integer> s = new HashSet<>();
        for (int i : ids) s.add(i);
        return s;
    }

    static long[] observed(long[] counts, int[] keep) {
        long[] o = new long[keep.length];
        for (int i = 0; i < keep.length; i++) o[i] = counts[keep[i]];
        return o;
    }

    @Test
    void sampledFirstTokensFollowTheModelsSoftmaxAndTopKTopPKeepExactlyTheIntendedTokens() {
        try (NDManager m = root.newSubManager();
                Transformer model = PeakedTransformer.create(ModelConfig.tinyLlama(V), m, 6, 8f)) {
            LocalSampler sampler = new LocalSampler(model, TOK);
            String prompt = "fab";
            float[] z = firstLogits(model, sampler, prompt);
            int[] all = byLogit(z);
            ChiSquareTest chi = new ChiSquareTest();
            int n = 6000;

            long[] free = firstTokenCounts(sampler, prompt, new SamplingParams(n, 1, 0.8, 1.0, 0, List.of(), 1));
            double pRight = chi.chiSquareTest(expected(z, 0.8, all, n), observed(free, all));
            double pWrongT = chi.chiSquareTest(expected(z, 1.0, all, n), observed(free, all));
            assertTrue(pRight > 1e-3, "softmax(z/0.8) of the model's logits rejected, p = " + pRight);
            assertTrue(pWrongT < 1e-6, "softmax(z/1.0) should be rejected, p = " + pWrongT);

            int[] top5 = Arrays.copyOf(all, 5);
            long[] k5 = firstTokenCounts(sampler, prompt, new SamplingParams(n, 1, 1.0, 1.0, 5, List.of(), 2));
            assertEquals(set(top5), support(k5), "top-k 5 keeps the 5 largest logits " + Arrays.toString(top5));
            assertTrue(chi.chiSquareTest(expected(z, 1.0, top5, n), observed(k5, top5)) > 1e-3);

            // top-p: the smallest prefix (by probability at T = 1) whose mass reaches 0.7, worked out here
            double[] probs = expected(z, 1.0, all, 1);
            List<Integer> nucleus = new ArrayList<>();
            double mass = 0;
            for (int i = 0; mass < 0.7; i++) {
                nucleus.add(all[i]);
                mass += probs[i];
            }
            int[] keep = nucleus.stream().mapToInt(Integer::intValue).toArray();
            assertTrue(keep.length >= 2 && keep.length < V, "the test needs a real cut, nucleus " + nucleus);
            long[] p7 = firstTokenCounts(sampler, prompt, new SamplingParams(n, 1, 1.0, 0.7, 0, List.of(), 3));
            assertEquals(set(keep), support(p7), "top-p 0.7 keeps exactly " + nucleus);
            assertTrue(chi.chiSquareTest(expected(z, 1.0, keep, n), observed(p7, keep)) > 1e-3);
        }
    }

    @Test
    void stopStringsCutTheTextWhereTheyStart() {
        try (NDManager m = root.newSubManager(); Transformer model = PeakedTransformer.create(ModelConfig.tinyLlama(V), m, 9, 20f)) {
            LocalSampler sampler = new LocalSampler(model, TOK);
            Completion free = sampler.sample(List.of("abc"), SamplingParams.greedy(12)).get(0).completions().get(0);
            String text = free.text();
            assertTrue(text.length() >= 4, "the test needs 4+ greedy characters, got '" + text + "'");
            String stop = text.substring(2, 4);
            int at = text.indexOf(stop);
            Completion cut = sampler.sample(List.of("abc"), new SamplingParams(1, 12, 0, 1, 0, List.of("zz", stop), 0))
                    .get(0).completions().get(0);
            assertEquals(text.substring(0, at), cut.text());
            assertEquals(FinishReason.STOP, cut.finishReason());
            // the tokens are kept up to the first one whose decoded prefix contains the stop string (special tokens
            // such as a generated BOS decode to nothing, so count by decoding), with their log-probs
            int keep = 1;
            while (!TOK.decode(Arrays.copyOf(free.tokenIds(), keep)).contains(stop)) keep++;
            assertArrayEquals(Arrays.copyOf(free.tokenIds(), keep), cut.tokenIds());
            assertArrayEquals(Arrays.copyOf(free.logprobs(), keep), cut.logprobs(), 1e-6f);
        }
    }

    @Test
    void finishedRowsStopCostingComputeAndCompactionChangesNoCompletion() {
        try (NDManager m = root.newSubManager(); Transformer model = PeakedTransformer.create(ModelConfig.tinyLlama(V), m, 12, 4f)) {
            List<String> prompts = List.of("abc", "d", "efghij");
            // rows end at different steps on these stop characters
            SamplingParams p = new SamplingParams(6, 24, 1.0, 1.0, 0, List.of("a", "e", "i", "o"), 17);
            LocalSampler eager = new LocalSampler(model, TOK, new LocalSampler.Options(true, 0.0));
            LocalSampler never = new LocalSampler(model, TOK, new LocalSampler.Options(true, 1.0));
            List<CompletionGroup> compacted = eager.sample(prompts, p);
            DecodeStats eagerStats = eager.lastStats();
            List<CompletionGroup> full = never.sample(prompts, p);
            DecodeStats fullStats = never.lastStats();
            Set<Integer> lengths = new HashSet<>();
            for (int i = 0; i < prompts.size(); i++) {
                for (int j = 0; j < 6; j++) {
                    Completion a = compacted.get(i).completions().get(j), b = full.get(i).completions().get(j);
                    assertArrayEquals(b.tokenIds(), a.tokenIds());
                    assertArrayEquals(b.logprobs(), a.logprobs(), 1e-5f);
                    assertEquals(b.finishReason(), a.finishReason());
                    lengths.add(a.tokenIds().length);
                }
            }
            assertTrue(lengths.size() >= 3, "the test needs rows ending at different steps: " + lengths);
            assertEquals(eagerStats.steps(), fullStats.steps(), "the longest row sets the number of steps");
            assertEquals(18L * fullStats.steps(), fullStats.rowSteps(), "without compaction every row runs every step");
            assertTrue(eagerStats.compactions() > 0);
            // with compaction, row-steps are the live rows only: the tokens after each row's first one
            assertEquals(eagerStats.generatedTokens() - 18, eagerStats.rowSteps());
            assertTrue(eagerStats.rowSteps() < fullStats.rowSteps(), eagerStats + " vs " + fullStats);
        }
    }

    /** Delegates to a model and records PyTorch's grad mode at each forward. */
    static final class GradModeProbe implements CausalLM {
        final CausalLM model;
        final List<Boolean> modes = new ArrayList<>();

        GradModeProbe(CausalLM model) {
            this.model = model;
        }

        @Override
        public ModelConfig config() {
            return model.config();
        }

        @Override
        public ai.djl.ndarray.NDArray forward(ai.djl.ndarray.NDArray ids, ai.djl.ndarray.NDArray mask, KVCache cache) {
            modes.add(JniUtils.isGradMode());
            return model.forward(ids, mask, cache);
        }

        @Override
        public KVCache newCache(int batch, int maxLength) {
            return model.newCache(batch, maxLength);
        }

        @Override
        public java.util.Map<String, ai.djl.ndarray.NDArray> parameters() {
            return model.parameters();
        }

        @Override
        public NDManager manager() {
            return model.manager();
        }

        @Override
        public void close() {}
    }

    @Test
    void generationOnAnotherThreadRecordsNoBackwardGraph() throws Exception {
        try (NDManager m = root.newSubManager(); Transformer model = PeakedTransformer.create(ModelConfig.tinyLlama(V), m, 2, 20f)) {
            GradModeProbe probe = new GradModeProbe(model);
            List<CompletionGroup> fromThread = new ArrayList<>();
            List<Boolean> threadModeAfter = new ArrayList<>();
            // like a server's request thread: PyTorch starts it with recording on
            Thread t = new Thread(() -> {
                fromThread.addAll(new LocalSampler(probe, TOK).sample(List.of("abc", "de"), SamplingParams.greedy(6)));
                threadModeAfter.add(JniUtils.isGradMode());
            });
            t.start();
            t.join();
            assertEquals(6, probe.modes.size(), "prefill + 5 decode forwards for 6 tokens: " + probe.modes);
            assertTrue(probe.modes.stream().noneMatch(b -> b), "forwards ran with grad mode on: " + probe.modes);
            assertEquals(List.of(true), threadModeAfter, "the thread's own mode is restored");
            List<CompletionGroup> here = new LocalSampler(model, TOK).sample(List.of("abc", "de"), SamplingParams.greedy(6));
            for (int p = 0; p < 2; p++) {
                assertArrayEquals(here.get(p).completions().get(0).tokenIds(), fromThread.get(p).completions().get(0).tokenIds());
            }
        }
    }
}
