package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@link LocalSampler} on test doubles whose logits are known in closed form. */
class LocalSamplerTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghij");
    static final int V = TOK.vocabSize();
    static final List<AutoCloseable> OPEN = new ArrayList<>();

    @AfterAll
    static void closeAll() throws Exception {
        for (AutoCloseable c : OPEN) c.close();
    }

    static <T extends AutoCloseable> T open(T c) {
        OPEN.add(c);
        return c;
    }

    static SamplingParams params(int g, int maxNew, double t, double topP, int topK, List<String> stop, long seed) {
        return new SamplingParams(g, maxNew, t, topP, topK, stop, seed);
    }

    /** A chain a->b->...->j->EOS, every step nearly certain. */
    static HistoryLM chain() {
        float[][] t = new float[V][V];
        for (int c = 0; c < 10; c++) t[TestCharTokenizer.FIRST + c][c == 9 ? TestCharTokenizer.EOS : TestCharTokenizer.FIRST + c + 1] = 20f;
        return open(new HistoryLM(t, 0));
    }

    private static List<Integer> history(int[] prompt, int[] tokens, int upTo) {
        List<Integer> h = new ArrayList<>();
        for (int p : prompt) h.add(p);
        for (int i = 0; i < upTo; i++) h.add(tokens[i]);
        return h;
    }

    @Test
    void greedyIsTheArgmaxOfAFullForwardAndLogprobsMatchIt() {
        HistoryLM lm = open(HistoryLM.random(V, 2.0, 1.5, 11));
        LocalSampler sampler = new LocalSampler(lm, TOK);
        List<CompletionGroup> groups = sampler.sample(List.of("ab", "cdefg", "h"), SamplingParams.greedy(12));
        int checked = 0;
        for (CompletionGroup g : groups) {
            assertEquals(TestCharTokenizer.BOS, g.promptTokenIds()[0], "BOS is prepended");
            Completion c = g.completions().get(0);
            for (int k = 0; k < c.tokenIds().length; k++) {
                float[] full = lm.logitsAfter(history(g.promptTokenIds(), c.tokenIds(), k));
                assertEquals(NextToken.argmax(full, 0, V), c.tokenIds()[k], "step " + k + " of " + g.prompt());
                assertEquals(NextToken.logSoftmaxAt(full, 0, V, c.tokenIds()[k]), c.logprobs()[k], 1e-5);
                checked++;
            }
        }
        assertTrue(checked >= 12, "checked " + checked + " steps");
    }

    @Test
    void sampledLogprobsAreThoseOfTheTemperedDistributionBeforeTopKAndTopP() {
        HistoryLM lm = open(HistoryLM.random(V, 2.0, 1.0, 5));
        LocalSampler sampler = new LocalSampler(lm, TOK);
        CompletionGroup g = sampler.sample(List.of("abc"), params(4, 8, 0.6, 0.9, 5, List.of(), 9)).get(0);
        for (Completion c : g.completions()) {
            for (int k = 0; k < c.tokenIds().length; k++) {
                float[] full = lm.logitsAfter(history(g.promptTokenIds(), c.tokenIds(), k));
                assertEquals(NextToken.logSoftmaxAt(full, 0, V, c.tokenIds()[k], 0.6), c.logprobs()[k], 1e-5);
                assertTrue(Math.abs(NextToken.logSoftmaxAt(full, 0, V, c.tokenIds()[k]) - c.logprobs()[k]) > 1e-4
                        || c.logprobs()[k] > -1e-3, "not the raw log-prob");
            }
        }
    }

    /** Logits of the first completion token after prompt "a" in the chi-square tests. */
    static final float[] KNOWN = {-1f, 0.5f, 2f, 1f, 0f, -0.5f, 1.5f, 0.3f, -2f, 0.8f, 1.2f, -0.3f, 0.1f};

    static long[] firstTokenCounts(LocalSampler sampler, SamplingParams p) {
        long[] counts = new long[V];
        for (Completion c : sampler.sample(List.of("a"), p).get(0).completions()) counts[c.tokenIds()[0]]++;
        return counts;
    }

    static double[] softmax(float[] l, double t) {
        double[] p = new double[l.length];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float x : l) max = Math.max(max, x);
        for (int i = 0; i < l.length; i++) sum += p[i] = Math.exp((l[i] - max) / t);
        for (int i = 0; i < l.length; i++) p[i] /= sum;
        return p;
    }

    static double[] expected(double[] p, long n, int[] support) {
        double[] e = new double[support.length];
        for (int i = 0; i < support.length; i++) e[i] = p[support[i]] * n;
        return e;
    }

    static long[] observed(long[] counts, int[] support) {
        long[] o = new long[support.length];
        for (int i = 0; i < support.length; i++) o[i] = counts[support[i]];
        return o;
    }

    @Test
    void sampledTokensFollowSoftmaxOfLogitsOverTemperature() {
        float[][] table = new float[V][V];
        table[TestCharTokenizer.FIRST] = KNOWN; // after "a"
        LocalSampler sampler = new LocalSampler(open(new HistoryLM(table, 0)), TOK);
        int n = 20000;
        long[] counts = firstTokenCounts(sampler, params(n, 1, 0.7, 1.0, 0, List.of(), 1234));
        int[] all = new int[V];
        for (int i = 0; i < V; i++) all[i] = i;
        ChiSquareTest chi = new ChiSquareTest();
        double pRight = chi.chiSquareTest(expected(softmax(KNOWN, 0.7), n, all), counts);
        double pWrongT = chi.chiSquareTest(expected(softmax(KNOWN, 1.0), n, all), counts);
        double pUniform = chi.chiSquareTest(expected(softmax(new float[V], 1.0), n, all), counts);
        assertTrue(pRight > 1e-3, "softmax(z/0.7) rejected, p = " + pRight);
        assertTrue(pWrongT < 1e-10, "softmax(z/1.0) should be rejected, p = " + pWrongT);
        assertTrue(pUniform < 1e-10, "uniform should be rejected, p = " + pUniform);
    }

    @Test
    void topKAndTopPKeepExactlyTheIntendedTokensWithRenormalisedMass() {
        // probabilities at T = 1, scattered over the ids so that order is by value, not by id
        double[] prob = {0.02, 0.15, 0.3, 0.003, 0.08, 0.1, 0.2, 0.005, 0.04, 0.06, 0.002, 0.03, 0.01};
        float[] logits = new float[V];
        for (int i = 0; i < V; i++) logits[i] = (float) Math.log(prob[i]);
        float[][] table = new float[V][V];
        table[TestCharTokenizer.FIRST] = logits;
        LocalSampler sampler = new LocalSampler(open(new HistoryLM(table, 0)), TOK);
        ChiSquareTest chi = new ChiSquareTest();
        int n = 8000;

        // top-k 4: ids 2 (0.3), 6 (0.2), 1 (0.15), 5 (0.1)
        long[] k4 = firstTokenCounts(sampler, params(n, 1, 1.0, 1.0, 4, List.of(), 7));
        assertEquals(Set.of(2, 6, 1, 5), support(k4));
        int[] s4 = {2, 6, 1, 5};
        double[] r4 = new double[V];
        for (int i : s4) r4[i] = prob[i] / 0.75;
        assertTrue(chi.chiSquareTest(expected(r4, n, s4), observed(k4, s4)) > 1e-3);

        // top-p 0.6: 0.3 + 0.2 = 0.5 < 0.6 <= 0.65 with id 1
        assertEquals(Set.of(2, 6, 1), support(firstTokenCounts(sampler, params(n, 1, 1.0, 0.6, 0, List.of(), 8))));
        // top-k 2 then top-p 0.5 over {0.6, 0.4}: only id 2 is needed
        assertEquals(Set.of(2), support(firstTokenCounts(sampler, params(500, 1, 1.0, 0.5, 2, List.of(), 9))));
    }

    private static Set<Integer> support(long[] counts) {
        Set<Integer> s = new HashSet<>();
        for (int i = 0; i < counts.length; i++) if (counts[i] > 0) s.add(i);
        return s;
    }

    @Test
    void stopStringsCutTheTextAndKeepTheTokens() {
        LocalSampler sampler = new LocalSampler(chain(), TOK);
        Completion c = sampler.sample(List.of("a"), params(1, 8, 0, 1, 0, List.of("de"), 0)).get(0).completions().get(0);
        assertEquals("bc", c.text());
        assertArrayEquals(TOK.encode("bcde"), c.tokenIds(), "the stop string spans two tokens and both are kept");
        assertEquals(FinishReason.STOP, c.finishReason());
        assertEquals(4, c.logprobs().length);

        Completion earliest = sampler.sample(List.of("a"), params(1, 8, 0, 1, 0, List.of("e", "cd"), 0))
                .get(0).completions().get(0);
        assertEquals("b", earliest.text());
        assertArrayEquals(TOK.encode("bcd"), earliest.tokenIds());

        Completion none = sampler.sample(List.of("a"), params(1, 3, 0, 1, 0, List.of("x"), 0)).get(0).completions().get(0);
        assertEquals("bcd", none.text());
        assertEquals(FinishReason.LENGTH, none.finishReason());
    }

    @Test
    void eosEndsWithFinishReasonEosAndIsKeptInTheIdsButNotTheText() {
        LocalSampler sampler = new LocalSampler(chain(), TOK);
        Completion c = sampler.sample(List.of("fg"), SamplingParams.greedy(10)).get(0).completions().get(0);
        assertEquals(FinishReason.EOS, c.finishReason());
        assertEquals("hij", c.text());
        assertArrayEquals(new int[] {TOK.id('h'), TOK.id('i'), TOK.id('j'), TestCharTokenizer.EOS}, c.tokenIds());
        assertEquals(4, c.logprobs().length);
        assertTrue(c.logprobs()[3] > -1e-3, "EOS was nearly certain, log-prob " + c.logprobs()[3]);
    }

    @Test
    void batchingPromptsOfDifferentLengthsGivesTheSameGreedyOutputAsOneAtATime() {
        HistoryLM lm = open(HistoryLM.random(V, 1.0, 2.0, 21));
        LocalSampler sampler = new LocalSampler(lm, TOK);
        List<String> prompts = List.of("ab", "cdefghij", "j", "aaaa");
        List<CompletionGroup> batched = sampler.sample(prompts, SamplingParams.greedy(15));
        for (int p = 0; p < prompts.size(); p++) {
            Completion alone = sampler.sample(List.of(prompts.get(p)), SamplingParams.greedy(15)).get(0).completions().get(0);
            Completion inBatch = batched.get(p).completions().get(0);
            assertArrayEquals(alone.tokenIds(), inBatch.tokenIds(), prompts.get(p));
            assertArrayEquals(alone.logprobs(), inBatch.logprobs(), 1e-6f);
            assertEquals(alone.finishReason(), inBatch.finishReason());
        }
    }

    /** EOS made likely so that rows end at different steps. */
    static HistoryLM earlyEos(long seed) {
        HistoryLM lm = HistoryLM.random(V, 1.0, 1.0, seed);
        for (float[] row : lm.bigram) row[TestCharTokenizer.EOS] += 1.0f;
        return open(lm);
    }

    @Test
    void compactionDropsFinishedRowsWithoutChangingAnyCompletion() {
        List<String> prompts = List.of("abc", "d", "efghij");
        SamplingParams p = params(8, 30, 1.0, 1.0, 0, List.of(), 77);
        HistoryLM eager = earlyEos(3);
        HistoryLM never = earlyEos(3);
        List<CompletionGroup> compacted = new LocalSampler(eager, TOK, new LocalSampler.Options(true, 0.0)).sample(prompts, p);
        List<CompletionGroup> full = new LocalSampler(never, TOK, new LocalSampler.Options(true, 1.0)).sample(prompts, p);
        Set<FinishReason> reasons = new HashSet<>();
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < 8; j++) {
                Completion a = compacted.get(i).completions().get(j), b = full.get(i).completions().get(j);
                assertArrayEquals(b.tokenIds(), a.tokenIds());
                assertArrayEquals(b.logprobs(), a.logprobs(), 0f);
                reasons.add(a.finishReason());
            }
        }
        assertTrue(reasons.contains(FinishReason.EOS), "the test needs rows ending early: " + reasons);
        // prefill has one row per prompt; later steps shrink with compaction and stay at 24 without it
        assertEquals(3, eager.forwardRows.get(0));
        assertEquals(3, never.forwardRows.get(0));
        List<Integer> steps = eager.forwardRows.subList(1, eager.forwardRows.size());
        for (int i = 1; i < steps.size(); i++) assertTrue(steps.get(i) <= steps.get(i - 1), "rows grew: " + steps);
        assertTrue(steps.get(steps.size() - 1) < 24, "never compacted: " + steps);
        assertTrue(never.forwardRows.subList(1, never.forwardRows.size()).stream().allMatch(r -> r == 24));
        int eagerWork = steps.stream().mapToInt(Integer::intValue).sum();
        int fullWork = never.forwardRows.subList(1, never.forwardRows.size()).stream().mapToInt(Integer::intValue).sum();
        assertTrue(eagerWork < fullWork, eagerWork + " row-steps vs " + fullWork);
    }

    @Test
    void sameSeedSameOutputDifferentSeedDifferentOutput() {
        HistoryLM lm = open(HistoryLM.random(V, 1.0, 1.0, 8));
        LocalSampler sampler = new LocalSampler(lm, TOK);
        List<String> prompts = List.of("ab", "c");
        List<CompletionGroup> a = sampler.sample(prompts, params(4, 10, 1.0, 1.0, 0, List.of(), 100));
        List<CompletionGroup> b = sampler.sample(prompts, params(4, 10, 1.0, 1.0, 0, List.of(), 100));
        List<CompletionGroup> c = sampler.sample(prompts, params(4, 10, 1.0, 1.0, 0, List.of(), 101));
        assertEquals(ids(a), ids(b));
        assertNotEquals(ids(a), ids(c));
        // the G samples of one prompt differ from each other (each row has its own stream)
        assertTrue(new HashSet<>(ids(a).subList(0, 4)).size() > 1);
    }

    private static List<String> ids(List<CompletionGroup> groups) {
        List<String> out = new ArrayList<>();
        for (CompletionGroup g : groups) for (Completion c : g.completions()) out.add(Arrays.toString(c.tokenIds()));
        return out;
    }

    @Test
    void sampleIdsFeedsTheIdsAsGivenAndEmptyPromptsAreRejected() {
        LocalSampler sampler = new LocalSampler(chain(), TOK);
        CompletionGroup g = sampler.sampleIds(List.of(TOK.encode("c")), SamplingParams.greedy(2)).get(0);
        assertArrayEquals(TOK.encode("c"), g.promptTokenIds());
        assertEquals("de", g.completions().get(0).text());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> sampler.sampleIds(List.of(TOK.encode("a"), new int[0]), SamplingParams.greedy(2)));
        assertTrue(e.getMessage().contains("prompt 1"), e.getMessage());
    }

    @Test
    void cachedSamplingEqualsTheUncachedNaiveReference() {
        HistoryLM lm = earlyEos(31);
        List<String> prompts = List.of("abc", "d", "efghij");
        SamplingParams p = params(5, 20, 0.9, 0.9, 8, List.of("ja"), 5);
        List<CompletionGroup> cached = new LocalSampler(lm, TOK).sample(prompts, p);
        List<CompletionGroup> naive = new NaiveSampler(lm, TOK).sample(prompts, p);
        for (int i = 0; i < prompts.size(); i++) {
            for (int j = 0; j < 5; j++) {
                Completion a = cached.get(i).completions().get(j), b = naive.get(i).completions().get(j);
                assertArrayEquals(b.tokenIds(), a.tokenIds());
                assertArrayEquals(b.logprobs(), a.logprobs(), 1e-6f);
                assertEquals(b.text(), a.text());
                assertEquals(b.finishReason(), a.finishReason());
            }
        }
    }
}
