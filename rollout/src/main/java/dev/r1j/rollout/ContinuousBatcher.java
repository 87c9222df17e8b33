package dev.r1j.rollout;

import dev.r1j.core.Djl;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching in the small: requests submitted from any thread decode together in one loop on one thread.
 * A request that arrives while a batch decodes joins it at the next step ({@link DecodeBatch#join}: prefilled on its
 * own, then re-laid into the running cache), and a finished one leaves at the next compaction, so N concurrent
 * clients share each forward instead of queueing behind each other. Each request's rows are seeded from
 * {@code (seed, prompt index, sample index)} exactly as {@link LocalSampler} seeds them, so a request gives the
 * completions {@link LocalSampler#sampleIds} gives for it alone (equal up to float rounding in the batched matmuls).
 *
 * <p><b>Memory.</b> Each request's memory is estimated when it is submitted ({@link #estimateBytes}: its KV-cache
 * rows for prompt + max_tokens, the prefill's activations and logits, the Java-side token arrays). A request over
 * {@link Limits#maxRequestBytes} is refused at once ({@link BudgetExceededException}); a request that would take the
 * running total over {@link Limits#maxTotalBytes} waits (first come, first served) until enough others finish. A
 * request whose forward fails is failed alone where possible; every native array of a step lives in a per-step
 * manager and the cache in its own, so a failure frees its memory.
 *
 * <pre>{@code
 * try (ContinuousBatcher batcher = new ContinuousBatcher(new LocalSampler(model, tok), ContinuousBatcher.Limits.defaults())) {
 *     ContinuousBatcher.Ticket t = batcher.submit(List.of(ids), SamplingParams.greedy(16), 0, null);
 *     List<CompletionGroup> groups = t.result().join().groups();
 * }
 * }</pre>
 */
public final class ContinuousBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatcher.class);

    /**
     * Memory budgets of a batcher.
     *
     * @param maxRequestBytes the estimated memory one request may take; larger ones are refused
     * @param maxTotalBytes the estimated memory all admitted requests may take together; more wait their turn
     */
    public record Limits(long maxRequestBytes, long maxTotalBytes) {
        public Limits {
            if (maxRequestBytes <= 0 || maxTotalBytes <= 0) {
                throw new IllegalArgumentException("memory budgets must be positive, got " + maxRequestBytes + " and "
                        + maxTotalBytes);
            }
        }

        /** 1 GiB per request, 4 GiB in total. */
        public static Limits defaults() {
            return new Limits(1L << 30, 4L << 30);
        }
    }

    /** Told about each token as it is picked, on the decoding thread: keep it short (enqueue, don't write). */
    public interface TokenListener {
        /**
         * @param choice {@code prompt index * n + sample index}
         * @param top the top alternatives when asked for, else null
         * @param finish why the choice ended with this token, or null while it goes on
         * @param finalText the choice's whole text when a stop string ended it (cut before the stop), else null
         */
        void onToken(int choice, int token, float logprob, TopLogprobs top, FinishReason finish, String finalText);
    }

    /** A finished request: its groups, and per choice the top alternatives of each token (null when not asked). */
    public record Result(List<CompletionGroup> groups, List<TopLogprobs[]> top) {}

    /** Counters since the batcher started, for tests and benchmarks. */
    public record Stats(long requests, long steps, long rowSteps, int maxRowsInAStep, long joins,
            long peakReservedBytes, long cancelled) {}

    /** A submitted request. */
    public final class Ticket {
        private final List<int[]> promptIds;
        private final SamplingParams params;
        private final int topLogprobs;
        private final TokenListener listener;
        private final long bytes;
        private final CompletableFuture<Result> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        private List<DecodeBatch.Seq> seqs;
        private int remaining;

        private Ticket(List<int[]> promptIds, SamplingParams params, int topLogprobs, TokenListener listener,
                long bytes) {
            this.promptIds = promptIds;
            this.params = params;
            this.topLogprobs = topLogprobs;
            this.listener = listener;
            this.bytes = bytes;
        }

        public CompletableFuture<Result> result() {
            return result;
        }

        /** Stops generating for this request (e.g. its client went away); its rows leave at the next step. */
        public void cancel() {
            cancelled = true;
            if (queue.remove(this)) {
                result.completeExceptionally(new CancellationException("cancelled before it started"));
            }
        }
    }

    private final LocalSampler sampler;
    private final Tokenizer tokenizer;
    private final Limits limits;
    private final long kvBytesPerPosition;
    private final LinkedBlockingDeque<Ticket> queue = new LinkedBlockingDeque<>();
    private final Map<Object, Ticket> running = new IdentityHashMap<>();
    private final DecodeBatch batch;
    private final Thread thread;
    private volatile boolean closed;
    private long reserved;
    private volatile Stats stats = new Stats(0, 0, 0, 0, 0, 0, 0);

    /** Starts the decoding thread; generation goes through {@code sampler}'s model, tokenizer and options. */
    public ContinuousBatcher(LocalSampler sampler, Limits limits) {
        this.sampler = Objects.requireNonNull(sampler, "sampler");
        this.tokenizer = sampler.tokenizer();
        this.limits = Objects.requireNonNull(limits, "limits");
        this.kvBytesPerPosition = kvBytesPerPosition(sampler.model().config());
        this.batch = new DecodeBatch(sampler.model(), tokenizer, sampler.options().compactFraction());
        this.thread = new Thread(this::run, "continuous-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    public LocalSampler sampler() {
        return sampler;
    }

    public Limits limits() {
        return limits;
    }

    /** The model's context length ({@code max_position_embeddings}), or {@code Integer.MAX_VALUE} when unknown. */
    public int contextLength() {
        return PromptBudget.contextLength(sampler.model().config());
    }

    public Stats stats() {
        return stats;
    }

    /**
     * Estimated peak memory of one request in bytes: the KV cache of its {@code prompts × n} rows over prompt +
     * max_tokens positions, the prefill (activations, attention scores and full-vocabulary logits of every prompt
     * position, float32) and the Java-side arrays of its tokens, log-probs and alternatives.
     */
    public long estimateBytes(List<int[]> promptIds, SamplingParams params, int topLogprobs) {
        long prompts = promptIds.size();
        long promptLen = promptIds.stream().mapToInt(a -> a.length).max().orElse(0);
        long rows = prompts * params.groupSize();
        long maxNew = params.maxNewTokens();
        long kv = rows * (promptLen + maxNew) * kvBytesPerPosition;
        ModelConfig c = sampler.model().config();
        long prefill = 0;
        if (c != null) {
            long perPosition = c.vocabSize() + 8L * c.hiddenSize() + 3L * c.intermediateSize();
            prefill = 4 * prompts * promptLen * (perPosition + 2L * c.numAttentionHeads() * promptLen);
        }
        long java = rows * maxNew * (8 + 8L * topLogprobs);
        return saturatingAdd(saturatingAdd(kv, prefill), java);
    }

    /**
     * Queues a request. {@code promptIds} are fed as given (add BOS with {@link LocalSampler#encodePrompt}).
     *
     * @param topLogprobs alternatives to record per token, 0 to {@link TopLogprobs#MAX}
     * @param listener told about each token as it is picked (may be null)
     * @throws BudgetExceededException when the request's estimated memory is over a budget
     * @throws IllegalArgumentException for an empty prompt list or an empty prompt
     */
    public Ticket submit(List<int[]> promptIds, SamplingParams params, int topLogprobs, TokenListener listener) {
        if (promptIds.isEmpty()) throw new IllegalArgumentException("no prompts");
        for (int i = 0; i < promptIds.size(); i++) {
            if (promptIds.get(i).length == 0) {
                throw new IllegalArgumentException("prompt " + i + " has no tokens (an empty prompt needs a BOS token)");
            }
        }
        if (topLogprobs < 0 || topLogprobs > TopLogprobs.MAX) {
            throw new IllegalArgumentException("top logprobs must be in [0, " + TopLogprobs.MAX + "], got " + topLogprobs);
        }
        long bytes = estimateBytes(promptIds, params, topLogprobs);
        long budget = Math.min(limits.maxRequestBytes(), limits.maxTotalBytes());
        if (bytes > budget) {
            throw new BudgetExceededException("this request needs an estimated " + mib(bytes) + " MiB (" + promptIds.size()
                    + " prompt(s) x n=" + params.groupSize() + ", up to " + (promptIds.stream().mapToInt(a -> a.length)
                            .max().orElse(0) + params.maxNewTokens()) + " tokens each), over the server's "
                    + (budget == limits.maxRequestBytes() ? "per-request" : "total") + " memory budget of " + mib(budget)
                    + " MiB; lower max_tokens, n or the prompt length", bytes, budget);
        }
        if (closed) throw new IllegalStateException("the batcher is closed");
        Ticket t = new Ticket(List.copyOf(promptIds), params, topLogprobs, listener, bytes);
        queue.add(t);
        return t;
    }

    private void run() {
        try {
            Djl.withoutGradients(() -> {
                try {
                    while (!closed) iteration();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt(); // closing
                }
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("the decoding loop stopped", e);
        } finally {
            failAll(new IllegalStateException("the server is shutting down"));
            Ticket t;
            while ((t = queue.poll()) != null) t.result.completeExceptionally(new IllegalStateException("shut down"));
        }
    }

    /** Admits what fits, steps the batch once, settles finished and cancelled requests. */
    private void iteration() throws InterruptedException {
        if (batch.isEmpty() && running.isEmpty()) {
            Ticket first = queue.poll(100, TimeUnit.MILLISECONDS); // idle: wait for work without holding the model
            if (first == null) return;
            queue.addFirst(first);
        }
        synchronized (sampler) { // the model is shared with LocalSampler's own callers
            List<Ticket> admitted = admit();
            if (!admitted.isEmpty()) join(admitted);
            for (Ticket t : new ArrayList<>(running.values())) {
                if (t.cancelled) for (DecodeBatch.Seq s : t.seqs) s.cancelled = true;
            }
            if (batch.isEmpty()) return;
            boolean live;
            try {
                int rows = batch.seqs().size();
                live = batch.step(this::advanced);
                record(rows);
            } catch (RuntimeException | OutOfMemoryError e) {
                LOG.warn("a decoding step failed; failing the {} request(s) in the batch", running.size(), e);
                failAll(e);
                return;
            }
            settle();
            if (!live) batch.clear();
        }
    }

    /** Takes queued requests in order while they fit in the total budget. */
    private List<Ticket> admit() {
        List<Ticket> out = new ArrayList<>();
        Ticket t;
        while ((t = queue.peek()) != null && reserved + t.bytes <= limits.maxTotalBytes()) {
            queue.poll();
            if (t.cancelled) {
                t.result.completeExceptionally(new CancellationException("cancelled before it started"));
                continue;
            }
            reserved += t.bytes;
            out.add(t);
        }
        return out;
    }

    private void join(List<Ticket> admitted) {
        List<DecodeBatch.Group> groups = new ArrayList<>();
        for (Ticket t : admitted) groups.add(new DecodeBatch.Group(t.promptIds, t.params, t.topLogprobs, t));
        List<DecodeBatch.Seq> seqs;
        try {
            seqs = batch.join(groups);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.warn("prefill of {} request(s) failed", admitted.size(), e);
            for (Ticket t : admitted) {
                reserved -= t.bytes;
                t.result.completeExceptionally(e);
            }
            if (batch.broken()) failAll(e);
            return;
        }
        for (Ticket t : admitted) {
            t.seqs = new ArrayList<>();
            running.put(t, t);
        }
        for (DecodeBatch.Seq s : seqs) {
            Ticket t = (Ticket) s.owner;
            t.seqs.add(s);
            t.remaining++;
        }
        Stats s = stats;
        stats = new Stats(s.requests() + admitted.size(), s.steps(), s.rowSteps(), s.maxRowsInAStep(), s.joins() + 1,
                Math.max(s.peakReservedBytes(), reserved), s.cancelled());
    }

    private void advanced(DecodeBatch.Seq s) {
        Ticket t = (Ticket) s.owner;
        Row row = s.row;
        if (t.listener != null) {
            TopLogprobs[] top = s.topLogprobs > 0 ? row.top() : null;
            try {
                t.listener.onToken(row.prompt * t.params.groupSize() + row.sample, row.lastToken(), row.lastLogprob(),
                        top == null ? null : top[top.length - 1], row.finishReason(), row.done() ? row.finalText() : null);
            } catch (RuntimeException e) {
                LOG.warn("a token listener failed; cancelling its request", e);
                t.cancelled = true;
            }
        }
    }

    /** Completes requests whose rows have all finished, and cancelled ones. */
    private void settle() {
        for (Ticket t : new ArrayList<>(running.values())) {
            boolean allDone = true;
            for (DecodeBatch.Seq s : t.seqs) allDone &= s.done();
            if (!allDone) continue;
            running.remove(t);
            reserved -= t.bytes;
            if (t.cancelled) {
                Stats st = stats;
                stats = new Stats(st.requests(), st.steps(), st.rowSteps(), st.maxRowsInAStep(), st.joins(),
                        st.peakReservedBytes(), st.cancelled() + 1);
                t.result.completeExceptionally(new CancellationException("cancelled"));
                continue;
            }
            int g = t.params.groupSize();
            List<CompletionGroup> groups = new ArrayList<>();
            List<TopLogprobs[]> top = new ArrayList<>();
            for (int p = 0; p < t.promptIds.size(); p++) {
                List<Completion> completions = new ArrayList<>(g);
                for (int j = 0; j < g; j++) {
                    Row row = t.seqs.get(p * g + j).row;
                    completions.add(row.toCompletion(tokenizer));
                    top.add(row.top());
                }
                int[] ids = t.promptIds.get(p);
                groups.add(new CompletionGroup(tokenizer.decode(ids), ids.clone(), completions));
            }
            t.result.complete(new Result(groups, top));
        }
    }

    private void failAll(Throwable e) {
        for (Ticket t : running.values()) t.result.completeExceptionally(e);
        running.clear();
        reserved = 0;
        batch.clear();
    }

    private void record(int rows) {
        Stats s = stats;
        stats = new Stats(s.requests(), s.steps() + 1, s.rowSteps() + rows, Math.max(s.maxRowsInAStep(), rows),
                s.joins(), s.peakReservedBytes(), s.cancelled());
    }

    /** Bytes of one cached position of one row, float32, all layers. */
    static long kvBytesPerPosition(ModelConfig c) {
        if (c == null) return 0;
        long perLayer = c.deepseek() != null
                ? c.deepseek().kvLoraRank() + c.deepseek().qkRopeHeadDim()
                : 2L * c.numKeyValueHeads() * c.headDim();
        return 4 * perLayer * c.numHiddenLayers();
    }

    private static long saturatingAdd(long a, long b) {
        long r = a + b;
        return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }

    /** Stops the decoding thread; requests still queued or running fail. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
