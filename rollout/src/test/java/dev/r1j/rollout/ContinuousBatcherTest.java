package dev.r1j.rollout;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ContinuousBatcher}: requests decoded together give what each gives alone through {@link LocalSampler}
 * (exactly on {@link HistoryLM}, whose logits depend on the whole unpadded history, so a wrong pad, row order or
 * re-layout changes them; within float rounding on the real {@link Transformer}), requests joining a running batch
 * mid-decode, memory budgets, cancellation, and the top alternatives against a full sort.
 */
class ContinuousBatcherTest {
    static final TestCharTokenizer TOK = new TestCharTokenizer("abcdefghij");

    static HistoryLM noEarlyEos() {
        HistoryLM lm = HistoryLM.random(TOK.vocabSize(), 1.5, 1.0, 7);
        for (float[] row : lm.bigram) row[TestCharTokenizer.EOS] -= 20f;
        return lm;
    }

    record Job(String prompt, SamplingParams params) {}

    static void assertSame(CompletionGroup want, CompletionGroup got, float tolerance) {
        assertArrayEquals(want.promptTokenIds(), got.promptTokenIds());
        assertEquals(want.completions().size(), got.completions().size());
        for (int j = 0; j < want.completions().size(); j++) {
            Completion a = want.completions().get(j), b = got.completions().get(j);
            assertArrayEquals(a.tokenIds(), b.tokenIds(), want.prompt() + " #" + j);
            assertArrayEquals(a.logprobs(), b.logprobs(), tolerance);
            assertEquals(a.text(), b.text());
            assertEquals(a.finishReason(), b.finishReason());
        }
    }

    @Test
    void concurrentRequestsShareForwardsAndEachGetsWhatItGetsAlone() throws Exception {
        try (HistoryLM lm = noEarlyEos()) {
            for (float[] row : lm.bigram) row[TestCharTokenizer.EOS] += 19f; // some rows end early, by EOS
            LocalSampler local = new LocalSampler(lm, TOK, new LocalSampler.Options(true, 0.0));
            List<Job> jobs = List.of(
                    new Job("abc", new SamplingParams(3, 12, 1.0, 1.0, 0, List.of(), 1)),
                    new Job("d", new SamplingParams(1, 20, 0.0, 1.0, 0, List.of(), 2)),
                    new Job("efghij", new SamplingParams(4, 7, 0.7, 0.9, 4, List.of("a"), 3)),
                    new Job("ji", new SamplingParams(2, 15, 1.3, 1.0, 0, List.of("bc", "d"), 4)),
                    new Job("aaaaaaaaaa", new SamplingParams(2, 5, 1.0, 0.5, 0, List.of(), 5)));
            List<CompletionGroup> alone = new ArrayList<>();
            for (Job j : jobs) alone.add(local.sample(List.of(j.prompt()), j.params()).get(0));
            int sequentialForwards = lm.forwardRows.size();
            lm.forwardRows.clear();

            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                List<ContinuousBatcher.Ticket> tickets = new ArrayList<>();
                synchronized (local) { // the batcher cannot step until all are queued: they start together
                    for (Job j : jobs) tickets.add(batcher.submit(List.of(local.encodePrompt(j.prompt())), j.params(), 0, null));
                }
                for (int i = 0; i < jobs.size(); i++) {
                    ContinuousBatcher.Result r = tickets.get(i).result().get(30, TimeUnit.SECONDS);
                    assertSame(alone.get(i), r.groups().get(0), 0f);
                }
                ContinuousBatcher.Stats s = batcher.stats();
                assertEquals(12, s.maxRowsInAStep(), "all 12 rows of the 5 requests in one step: " + s);
                assertTrue(lm.forwardRows.size() < sequentialForwards / 2,
                        lm.forwardRows.size() + " forwards batched vs " + sequentialForwards + " one request at a time");
            }
        }
    }

    @Test
    void requestsJoinARunningBatchAndLeaveItWithTheSameCompletions() throws Exception {
        try (HistoryLM lm = noEarlyEos()) {
            LocalSampler local = new LocalSampler(lm, TOK);
            SamplingParams longRun = new SamplingParams(2, 30, 1.0, 1.0, 0, List.of(), 11);
            SamplingParams shortRun = new SamplingParams(3, 4, 1.0, 1.0, 0, List.of(), 12);
            SamplingParams lateLong = new SamplingParams(1, 25, 0.0, 1.0, 0, List.of(), 13);
            String first = "ab", longPrompt = "abcdefghijabcdefghij", shortPrompt = "c";
            CompletionGroup wantFirst = local.sample(List.of(first), longRun).get(0);
            CompletionGroup wantLong = local.sample(List.of(longPrompt), shortRun).get(0);
            CompletionGroup wantShort = local.sample(List.of(shortPrompt), lateLong).get(0);
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                CompletableFuture<List<ContinuousBatcher.Ticket>> joined = new CompletableFuture<>();
                int[] count = new int[1];
                // when the first request has 5 tokens (cache: 3 prompt + 4 fed), a longer and a shorter prompt join
                ContinuousBatcher.Ticket a = batcher.submit(List.of(local.encodePrompt(first)), longRun, 0,
                        (choice, token, lp, top, finish, text) -> {
                            if (choice == 0 && !joined.isDone() && ++count[0] == 5) {
                                joined.complete(List.of(
                                        batcher.submit(List.of(local.encodePrompt(longPrompt)), shortRun, 0, null),
                                        batcher.submit(List.of(local.encodePrompt(shortPrompt)), lateLong, 0, null)));
                            }
                        });
                ContinuousBatcher.Result ra = a.result().get(30, TimeUnit.SECONDS);
                List<ContinuousBatcher.Ticket> late = joined.get(30, TimeUnit.SECONDS);
                assertSame(wantFirst, ra.groups().get(0), 0f);
                assertSame(wantLong, late.get(0).result().get(30, TimeUnit.SECONDS).groups().get(0), 0f);
                assertSame(wantShort, late.get(1).result().get(30, TimeUnit.SECONDS).groups().get(0), 0f);
                assertTrue(ra.groups().get(0).completions().get(0).tokenIds().length == 30);
                assertEquals(2, batcher.stats().joins(), "the first request alone, then both late ones together");
                assertEquals(2 + 3 + 1, batcher.stats().maxRowsInAStep());
            }
        }
    }

    static Stream<ModelConfig> configs() {
        int v = new TestCharTokenizer("abcdefghijklmnop").vocabSize();
        return Stream.of(ModelConfig.tinyLlama(v), ModelConfig.tinyDeepSeekV3(v, 12));
    }

    /** The real cache re-layout ({@code TransformerCache.relayout}) on GQA and on latent attention. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void onTheRealTransformerJoiningMidDecodeEqualsDecodingAlone(ModelConfig config) throws Exception {
        TestCharTokenizer tok = new TestCharTokenizer("abcdefghijklmnop");
        try (NDManager m = Djl.newManager(); Transformer model = PeakedTransformer.create(config, m, 5, 4f)) {
            LocalSampler local = new LocalSampler(model, tok);
            SamplingParams p1 = new SamplingParams(2, 16, 1.0, 1.0, 0, List.of(), 21);
            SamplingParams p2 = new SamplingParams(2, 6, 0.0, 1.0, 0, List.of(), 22);
            SamplingParams p3 = new SamplingParams(1, 12, 1.0, 0.9, 0, List.of(), 23);
            String first = "abc", longPrompt = "abcdefghijklmnopabcd", shortPrompt = "p";
            CompletionGroup w1 = local.sample(List.of(first), p1).get(0);
            CompletionGroup w2 = local.sample(List.of(longPrompt), p2).get(0);
            CompletionGroup w3 = local.sample(List.of(shortPrompt), p3).get(0);
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                CompletableFuture<List<ContinuousBatcher.Ticket>> joined = new CompletableFuture<>();
                int[] seen = new int[1];
                ContinuousBatcher.Ticket a = batcher.submit(List.of(local.encodePrompt(first)), p1, 0,
                        (choice, token, lp, top, finish, text) -> {
                            if (choice == 1 && ++seen[0] == 4) {
                                joined.complete(List.of(
                                        batcher.submit(List.of(local.encodePrompt(longPrompt)), p2, 0, null),
                                        batcher.submit(List.of(local.encodePrompt(shortPrompt)), p3, 0, null)));
                            }
                        });
                List<CompletionGroup> got = new ArrayList<>();
                got.add(a.result().get(60, TimeUnit.SECONDS).groups().get(0));
                for (ContinuousBatcher.Ticket t : joined.get(60, TimeUnit.SECONDS)) {
                    got.add(t.result().get(60, TimeUnit.SECONDS).groups().get(0));
                }
                assertSame(w1, got.get(0), 1e-4f);
                assertSame(w2, got.get(1), 1e-4f);
                assertSame(w3, got.get(2), 1e-4f);
                assertEquals(2, batcher.stats().joins());
            }
        }
    }

    @Test
    void aRequestOverTheBudgetIsRefusedAndTheTotalBudgetMakesOthersWait() throws Exception {
        try (HistoryLM lm = noEarlyEos()) {
            LocalSampler local = new LocalSampler(lm, TOK);
            SamplingParams p = new SamplingParams(4, 100, 1.0, 1.0, 0, List.of(), 1); // 4 rows x 100 x 8 B = 3200 B
            int[] ids = local.encodePrompt("ab");
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, new ContinuousBatcher.Limits(3000, 10_000))) {
                assertEquals(3200, batcher.estimateBytes(List.of(ids), p, 0), "the Java-side arrays of a test double");
                BudgetExceededException e = assertThrows(BudgetExceededException.class,
                        () -> batcher.submit(List.of(ids), p, 0, null));
                assertTrue(e.getMessage().contains("per-request memory budget"), e.getMessage());
            }
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, new ContinuousBatcher.Limits(4000, 7000))) {
                List<ContinuousBatcher.Ticket> tickets = new ArrayList<>();
                for (int i = 0; i < 4; i++) tickets.add(batcher.submit(List.of(ids), p, 0, null));
                CompletionGroup want = local.sample(List.of("ab"), p).get(0);
                for (ContinuousBatcher.Ticket t : tickets) assertSame(want, t.result().get(30, TimeUnit.SECONDS).groups().get(0), 0f);
                ContinuousBatcher.Stats s = batcher.stats();
                assertEquals(6400, s.peakReservedBytes(), "two of 3200 B fit in 7000 B at a time: " + s);
                assertEquals(8, s.maxRowsInAStep());
            }
        }
    }

    @Test
    void aCancelledRequestLeavesAndOthersFinish() throws Exception {
        try (HistoryLM lm = noEarlyEos()) {
            LocalSampler local = new LocalSampler(lm, TOK);
            int[] ids = local.encodePrompt("ab");
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                ContinuousBatcher.Ticket[] victim = new ContinuousBatcher.Ticket[1];
                CountDownLatch started = new CountDownLatch(1);
                victim[0] = batcher.submit(List.of(ids), new SamplingParams(1, 1_000_000, 1.0, 1.0, 0, List.of(), 1), 0,
                        (choice, token, lp, top, finish, text) -> started.countDown());
                ContinuousBatcher.Ticket other = batcher.submit(List.of(ids), SamplingParams.greedy(50), 0, null);
                assertTrue(started.await(30, TimeUnit.SECONDS));
                victim[0].cancel();
                assertThrows(CancellationException.class, () -> victim[0].result().get(30, TimeUnit.SECONDS));
                assertSame(local.sample(List.of("ab"), SamplingParams.greedy(50)).get(0),
                        other.result().get(30, TimeUnit.SECONDS).groups().get(0), 0f);
            }
        }
    }

    @Test
    void topLogprobsAreTheLargestEntriesOfAFullySortedLogSoftmax() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            int vocab = 1 + r.nextInt(300);
            float[] logits = new float[vocab + 7];
            for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 3);
            if (vocab > 4) logits[7 + 1] = logits[7 + 3]; // a tie: the lower id first
            int n = 1 + r.nextInt(TopLogprobs.MAX);
            TopLogprobs top = TopLogprobs.of(logits, 7, vocab, n);
            Integer[] order = new Integer[vocab];
            for (int v = 0; v < vocab; v++) order[v] = v;
            Arrays.sort(order, Comparator.<Integer>comparingDouble(v -> -logits[7 + v]).thenComparingInt(v -> v));
            assertEquals(Math.min(n, vocab), top.tokens().length);
            for (int i = 0; i < top.tokens().length; i++) {
                assertEquals(order[i], top.tokens()[i], "rank " + i);
                assertEquals((float) NextToken.logSoftmaxAt(logits, 7, vocab, order[i]), top.logprobs()[i], 0f);
            }
        }
    }

    @Test
    void recordedAlternativesHoldTheChosenTokensLogprob() throws Exception {
        try (HistoryLM lm = noEarlyEos()) {
            LocalSampler local = new LocalSampler(lm, TOK);
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                SamplingParams greedy = SamplingParams.greedy(8);
                ContinuousBatcher.Result r = batcher.submit(List.of(local.encodePrompt("abc")), greedy, 3, null)
                        .result().get(30, TimeUnit.SECONDS);
                Completion c = r.groups().get(0).completions().get(0);
                TopLogprobs[] top = r.top().get(0);
                assertEquals(8, top.length);
                for (int k = 0; k < 8; k++) {
                    assertEquals(c.tokenIds()[k], top[k].tokens()[0], "greedy picks the top alternative");
                    assertEquals(c.logprobs()[k], top[k].logprobs()[0], 0f);
                    assertTrue(top[k].logprobs()[1] <= top[k].logprobs()[0] && top[k].logprobs()[2] <= top[k].logprobs()[1]);
                }
            }
        }
    }

    /** Delegates to a real model and throws at its {@code failAt}-th forward, after the cache has grown. */
    static final class FailingLM implements CausalLM {
        final Transformer model;
        int forwards;
        int failAt = Integer.MAX_VALUE;

        FailingLM(Transformer model) {
            this.model = model;
        }

        @Override
        public ModelConfig config() {
            return model.config();
        }

        @Override
        public ai.djl.ndarray.NDArray forward(ai.djl.ndarray.NDArray ids, ai.djl.ndarray.NDArray mask,
                dev.r1j.core.model.KVCache cache) {
            if (++forwards == failAt) {
                model.forward(ids, mask, cache); // allocate what a real step allocates, then fail
                throw new IllegalStateException("injected failure at forward " + forwards);
            }
            return model.forward(ids, mask, cache);
        }

        @Override
        public dev.r1j.core.model.KVCache newCache(int batch, int maxLength) {
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
    void aFailedRequestReleasesItsNativeMemoryAndTheNextOneIsServed() throws Exception {
        TestCharTokenizer tok = new TestCharTokenizer("abcdefghijklmnop");
        try (NDManager m = Djl.newManager(); Transformer model = PeakedTransformer.create(ModelConfig.tinyLlama(tok.vocabSize()), m, 5, 4f)) {
            FailingLM failing = new FailingLM(model);
            LocalSampler local = new LocalSampler(failing, tok);
            int before = model.manager().getManagedArrays().size();
            SamplingParams p = new SamplingParams(8, 30, 1.0, 1.0, 0, List.of(), 1);
            try (ContinuousBatcher batcher = new ContinuousBatcher(local, ContinuousBatcher.Limits.defaults())) {
                failing.failAt = 6; // prefill, then 4 decode steps, then a failure
                ContinuousBatcher.Ticket t = batcher.submit(List.of(local.encodePrompt("abcdef")), p, 3, null);
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> t.result().get(60, TimeUnit.SECONDS));
                assertTrue(e.getCause().getMessage().contains("injected failure"), e.getCause().toString());
                // the failure is settled on the decoding thread; the batch's cache and the step's arrays are gone
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (model.manager().getManagedArrays().size() != before && System.nanoTime() < deadline) Thread.sleep(10);
                assertEquals(before, model.manager().getManagedArrays().size(), "native arrays left after the failure");
                failing.failAt = Integer.MAX_VALUE;
                CompletionGroup ok = batcher.submit(List.of(local.encodePrompt("abc")), SamplingParams.greedy(5), 0, null)
                        .result().get(60, TimeUnit.SECONDS).groups().get(0);
                assertSame(local.sample(List.of("abc"), SamplingParams.greedy(5)).get(0), ok, 1e-6f);
            }
            assertEquals(before, model.manager().getManagedArrays().size());
        }
    }
}
