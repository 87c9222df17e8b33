package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.RoutingReplay;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import dev.r1j.env.ToolRunner;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.function.Consumer;

/**
 * Sequences decoding together on one KV cache: the decoding loop of {@link LocalSampler}, shared with
 * {@link ContinuousBatcher}. Groups of prompts {@link #join join} (each group prefilled once per prompt, its cache
 * rows repeated {@code n} times); each {@link #step} picks one token for every live sequence from its pending
 * logits, compacts finished sequences away once {@code compactFraction} of the rows are finished, and runs one
 * forward of one token per remaining row.
 *
 * <p>All rows are right-aligned in the cache: a row's real tokens end at the cache's last position and a row
 * starts after {@code pad} empty (masked) positions. A group that joins a running batch is prefilled in a cache of
 * its own, then both are re-laid into one ({@link KVCache#relayout}), dropping the leading positions that every row
 * masks out, so a long-lived batch does not keep growing. Position ids come from the mask, so joining changes no
 * row's positions. Not thread-safe: one thread drives a batch.
 *
 * <p>Multi-turn rows (a group with a {@link ToolRunner}, see {@link RowEpisode}) pause at a completed tool call while
 * the others go on; when its answer is ready a row is fed the call's last token and the observation's tokens in one
 * step, right-aligned in a step as wide as the widest feed, the other rows' unused slots masked. A masked slot inside
 * a row (a "hole") keeps being masked in later steps, and since positions come from the mask the row's positions
 * stay those of its tokens laid end to end, as the trainer's forward over the whole sequence sees them.
 */
final class DecodeBatch implements AutoCloseable {

    /** One sequence of the batch: its row, how it samples, and what it belongs to. */
    static final class Seq {
        final Row row;
        final SamplingParams params;
        final StopStrings stops;
        final int topLogprobs;
        final Object owner;
        int pad;
        float[] logits;
        int offset;
        volatile boolean cancelled;
        RoutingReplay.Track track; // the experts its tokens went through, when routing replay records
        /** Cache positions after {@link #pad} that this row masks (slots it did not use in a wide step); null: none. */
        BitSet holes;

        Seq(Row row, SamplingParams params, StopStrings stops, int topLogprobs, Object owner, int pad) {
            this.row = row;
            this.params = params;
            this.stops = stops;
            this.topLogprobs = topLogprobs;
            this.owner = owner;
            this.pad = pad;
        }

        /** Finished (EOS, stop string, length) or cancelled: no further token. */
        boolean done() {
            return row.done() || cancelled;
        }

        /** Waiting for a tool call's answer. */
        boolean paused() {
            return row.episode != null && row.episode.paused();
        }

        /** Moves the holes with a re-layout that moved every position by {@code delta}. */
        void shiftHoles(int delta) {
            if (holes == null || delta == 0) return;
            BitSet moved = new BitSet();
            for (int h = holes.nextSetBit(0); h >= 0; h = holes.nextSetBit(h + 1)) if (h + delta >= 0) moved.set(h + delta);
            holes = moved;
        }
    }

    /**
     * Prompts that join together: {@code params.groupSize()} sequences per prompt, rows seeded from
     * {@code (params.seed(), prompt index, sample index)}, {@code topLogprobs} alternatives recorded per token.
     */
    record Group(List<int[]> promptIds, SamplingParams params, int topLogprobs, Object owner, ToolRunner tools) {
        /** A single-turn group. */
        Group(List<int[]> promptIds, SamplingParams params, int topLogprobs, Object owner) {
            this(promptIds, params, topLogprobs, owner, null);
        }

        /** Positions a row of this group may add to the cache (multi-turn: the episode's whole budget). */
        int budget() {
            return tools == null ? params.maxNewTokens() : tools.config().maxTotalTokens();
        }
    }

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final double compactFraction;
    private final long padToken;
    private KVCache cache;
    private int capacity; // positions the cache has room for
    private boolean broken;
    private List<Seq> seqs = new ArrayList<>();
    private int vocab;
    long prefillNanos, forwardNanos, sampleNanos, compactNanos, toolNanos;
    int steps, compactions;
    long rowSteps;

    DecodeBatch(CausalLM model, Tokenizer tokenizer, double compactFraction) {
        this.model = model;
        this.tokenizer = tokenizer;
        this.compactFraction = compactFraction;
        this.padToken = tokenizer.padId() >= 0 ? tokenizer.padId() : Math.max(tokenizer.eosId(), 0);
    }

    /** The sequences in cache order, finished ones included until compaction. */
    List<Seq> seqs() {
        return seqs;
    }

    boolean isEmpty() {
        return seqs.isEmpty();
    }

    /** True when a {@link #join} failed half-way through re-laying the cache: {@link #clear} the batch. */
    boolean broken() {
        return broken;
    }

    /** Positions in the cache (0 when empty). */
    int cacheLength() {
        return cache == null ? 0 : cache.length();
    }

    /**
     * Prefills the groups' prompts in one forward and adds their sequences after the running ones; returns them in
     * (group, prompt, sample) order. Their first tokens are picked by the next {@link #step}. On failure the batch
     * is unchanged.
     */
    List<Seq> join(List<Group> groups) {
        List<int[]> prompts = new ArrayList<>();
        List<Group> groupOfPrompt = new ArrayList<>();
        List<Integer> indexInGroup = new ArrayList<>();
        for (Group g : groups) {
            for (int i = 0; i < g.promptIds().size(); i++) {
                prompts.add(g.promptIds().get(i));
                groupOfPrompt.add(g);
                indexInGroup.add(i);
            }
        }
        int numPrompts = prompts.size();
        int promptLen = prompts.stream().mapToInt(a -> a.length).max().orElseThrow();
        int maxNew = groups.stream().mapToInt(Group::budget).max().orElseThrow();
        long start = System.nanoTime();
        KVCache fresh = model.newCache(numPrompts, promptLen + maxNew);
        try {
            long[] ids = new long[numPrompts * promptLen];
            long[] mask = new long[numPrompts * promptLen];
            for (int p = 0; p < numPrompts; p++) {
                int[] prompt = prompts.get(p);
                int pad = promptLen - prompt.length;
                Arrays.fill(ids, p * promptLen, p * promptLen + pad, padToken);
                for (int t = 0; t < prompt.length; t++) {
                    ids[p * promptLen + pad + t] = prompt[t];
                    mask[p * promptLen + pad + t] = 1;
                }
            }
            float[] logits = forwardLast(ids, mask, numPrompts, promptLen, fresh);
            vocab = logits.length / numPrompts;
            prefillNanos += System.nanoTime() - start;
            RoutingReplay replay = RoutingRecorder.of(model);

            long t0 = System.nanoTime();
            List<Seq> added = new ArrayList<>();
            List<Integer> repeat = new ArrayList<>();
            for (int p = 0; p < numPrompts; p++) {
                Group g = groupOfPrompt.get(p);
                SamplingParams params = g.params();
                StopStrings stops = new StopStrings(params.stop());
                for (int j = 0; j < params.groupSize(); j++) {
                    Seq s = new Seq(new Row(indexInGroup.get(p), j, params.seed(), params.maxNewTokens()), params, stops,
                            g.topLogprobs(), g.owner(), promptLen - prompts.get(p).length);
                    s.logits = logits;
                    s.offset = p * vocab;
                    if (replay != null) s.track = RoutingRecorder.prompt(replay, prompts.get(p), (p + 1) * promptLen
                            - prompts.get(p).length);
                    if (g.tools() != null) {
                        s.row.episode = new RowEpisode(g.tools(), observationText(g.tools()), tokenizer,
                                tokenizer.decode(prompts.get(p)));
                    }
                    added.add(s);
                    repeat.add(p);
                }
            }
            if (added.size() != numPrompts) fresh.keepRows(repeat.stream().mapToInt(Integer::intValue).toArray());
            if (cache != null) dropFinished();
            if (cache != null && seqs.isEmpty()) clear();
            if (cache == null) {
                cache = fresh;
                capacity = promptLen + maxNew;
                fresh = null;
            } else {
                broken = true; // until the re-layout has finished
                relayoutWith(fresh, added, promptLen);
                broken = false;
            }
            seqs.addAll(added);
            compactNanos += System.nanoTime() - t0;
            return added;
        } finally {
            if (fresh != null) fresh.close();
        }
    }

    /** Re-lays the running rows (all live) and the joining ones into one right-aligned cache. */
    private void relayoutWith(KVCache joining, List<Seq> added, int joiningLength) {
        int oldLength = cache.length();
        int extent = joiningLength;
        int capacityAfter = 0;
        for (Seq s : seqs) extent = Math.max(extent, oldLength - s.pad);
        for (Seq s : seqs) capacityAfter = Math.max(capacityAfter, s.params.maxNewTokens() - s.row.length());
        for (Seq s : added) capacityAfter = Math.max(capacityAfter, s.params.maxNewTokens());
        cache.relayout(joining, extent, extent + capacityAfter);
        capacity = extent + capacityAfter;
        for (Seq s : seqs) {
            s.pad += extent - oldLength;
            s.shiftHoles(extent - oldLength);
        }
        for (Seq s : added) s.pad += extent - joiningLength;
    }

    /** Keeps only the unfinished rows in the cache. */
    private void dropFinished() {
        List<Seq> live = new ArrayList<>();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < seqs.size(); i++) {
            if (!seqs.get(i).done()) {
                live.add(seqs.get(i));
                keep.add(i);
            }
        }
        if (live.size() == seqs.size()) return;
        if (!live.isEmpty()) cache.keepRows(keep.stream().mapToInt(Integer::intValue).toArray());
        seqs = live;
        compactions++;
    }

    /**
     * Picks the next token of every live sequence, tells {@code advanced} about each, compacts, and feeds the new
     * tokens to the model. Returns false when no sequence is live any more (then nothing was fed).
     */
    boolean step(Consumer<Seq> advanced) {
        long t1 = System.nanoTime();
        int live = 0;
        for (Seq s : seqs) {
            if (s.done()) continue;
            if (s.paused()) { // its tool call is running: no token to pick
                live++;
                continue;
            }
            pick(s);
            advanced.accept(s);
            if (!s.done()) live++;
        }
        long t2 = System.nanoTime();
        sampleNanos += t2 - t1;
        if (live == 0) return false;

        int dead = seqs.size() - live;
        if (dead > 0 && dead >= compactFraction * seqs.size()) dropFinished();
        long t3 = System.nanoTime();
        compactNanos += t3 - t2;

        int[][] feeds = StepFeeds.collect(seqs);
        if (feeds == null) return false; // every row ended while its tool call was answered
        toolNanos += System.nanoTime() - t3;
        t3 = System.nanoTime();
        int width = StepFeeds.width(feeds);
        ensureCapacity(cache.length() + width);
        int n = seqs.size();
        int cached = cache.length();
        long[] next = new long[n * width];
        long[] stepMask = new long[n * (cached + width)];
        Arrays.fill(next, padToken);
        for (int i = 0; i < n; i++) {
            Seq s = seqs.get(i);
            int[] feed = feeds[i];
            int row = i * (cached + width);
            Arrays.fill(stepMask, row + s.pad, row + cached, 1L);
            if (s.holes != null) {
                for (int h = s.holes.nextSetBit(s.pad); h >= 0 && h < cached; h = s.holes.nextSetBit(h + 1)) stepMask[row + h] = 0;
            }
            int used = feed == null ? 0 : feed.length;
            for (int k = 0; k < used; k++) {
                next[i * width + width - used + k] = feed[k];
                stepMask[row + cached + width - used + k] = 1L;
            }
            if (used < width) { // the slots it leaves empty stay masked from now on (the cache's mask never changes)
                if (s.holes == null) s.holes = new BitSet();
                s.holes.set(cached, cached + width - used);
            }
        }
        float[] logits = forwardLast(next, stepMask, n, width, cache);
        forwardNanos += System.nanoTime() - t3;
        RoutingReplay replay = RoutingRecorder.of(model);
        for (int i = 0; replay != null && i < n; i++) {
            if (!seqs.get(i).done() && seqs.get(i).track != null) seqs.get(i).track.append(next[i], i);
        }
        steps++;
        rowSteps += n;
        for (int i = 0; i < n; i++) {
            seqs.get(i).logits = logits;
            seqs.get(i).offset = i * vocab;
        }
        return true;
    }

    /** Picks the next token of one sequence and decides whether it has finished. */
    private void pick(Seq s) {
        SamplingParams params = s.params;
        Row row = s.row;
        // the behaviour log-prob is that of the distribution sampled from, softmax(z/T), as the trainer computes it
        NextToken.Choice choice = NextToken.choose(s.logits, s.offset, vocab, params.temperature(), params.topP(),
                params.topK(), row.rng);
        int token = choice.token();
        row.append(token, (float) choice.logprob());
        if (s.topLogprobs > 0) row.setTop(TopLogprobs.of(s.logits, s.offset, vocab, s.topLogprobs));
        row.afterModelToken(token, tokenizer, s.stops, params.maxNewTokens());
    }

    /**
     * Makes room for {@code needed} positions: re-lays the cache with more capacity (multi-turn rows outgrow the
     * prompt + max_new_tokens a batch starts with), dropping leading positions every row masks.
     */
    private void ensureCapacity(int needed) {
        if (needed <= capacity) return;
        int oldLength = cache.length();
        int extent = 0;
        for (Seq s : seqs) extent = Math.max(extent, oldLength - s.pad);
        int newCapacity = extent + (needed - oldLength) + Math.max(64, extent / 2);
        cache.relayout(null, extent, newCapacity);
        capacity = newCapacity;
        for (Seq s : seqs) {
            s.pad += extent - oldLength;
            s.shiftHoles(extent - oldLength);
        }
    }

    private final java.util.Map<ToolRunner, ObservationText> observationTexts = new java.util.IdentityHashMap<>();

    private ObservationText observationText(ToolRunner tools) {
        return observationTexts.computeIfAbsent(tools, t -> ObservationText.of(t.config().format(), tokenizer));
    }

    /** Forgets every sequence and frees the cache (the batch can be joined again). */
    void clear() {
        broken = false;
        seqs = new ArrayList<>();
        if (cache != null) cache.close();
        cache = null;
    }

    DecodeStats stats(long totalNanos, long generatedTokens) {
        return new DecodeStats(prefillNanos, forwardNanos, sampleNanos, compactNanos, totalNanos, steps, rowSteps,
                generatedTokens, compactions);
    }

    @Override
    public void close() {
        clear();
    }

    /**
     * One forward of {@code ids [rows, len]} against the cache; returns the last position's logits as a
     * {@code [rows * vocab]} array. Everything native made here lives in a per-step sub-manager.
     */
    private float[] forwardLast(long[] ids, long[] mask, int rows, int len, KVCache kv) {
        try (NDManager step = model.manager().newSubManager()) {
            NDArray idArray = step.create(ids, new Shape(rows, len));
            NDArray maskArray = step.create(mask, new Shape(rows, mask.length / rows));
            // the LM head on the last position only: at a large vocabulary it is most of a prefill's work
            NDArray last = model.forwardLast(idArray, maskArray, kv);
            last.attach(step); // whichever manager the model used, the step's logits die with the step
            if (last.getDataType() != DataType.FLOAT32) last = last.toType(DataType.FLOAT32, false);
            return last.toFloatArray();
        }
    }
}
