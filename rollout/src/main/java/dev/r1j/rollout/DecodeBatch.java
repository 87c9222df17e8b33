package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.RoutingReplay;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
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
    }

    /**
     * Prompts that join together: {@code params.groupSize()} sequences per prompt, rows seeded from
     * {@code (params.seed(), prompt index, sample index)}, {@code topLogprobs} alternatives recorded per token.
     */
    record Group(List<int[]> promptIds, SamplingParams params, int topLogprobs, Object owner) {}

    private final CausalLM model;
    private final Tokenizer tokenizer;
    private final double compactFraction;
    private final long padToken;
    private KVCache cache;
    private boolean broken;
    private List<Seq> seqs = new ArrayList<>();
    private int vocab;
    long prefillNanos, forwardNanos, sampleNanos, compactNanos;
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
        int maxNew = groups.stream().mapToInt(g -> g.params().maxNewTokens()).max().orElseThrow();
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
                    added.add(s);
                    repeat.add(p);
                }
            }
            if (added.size() != numPrompts) fresh.keepRows(repeat.stream().mapToInt(Integer::intValue).toArray());
            if (cache != null) dropFinished();
            if (cache != null && seqs.isEmpty()) clear();
            if (cache == null) {
                cache = fresh;
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
        for (Seq s : seqs) s.pad += extent - oldLength;
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

        int n = seqs.size();
        int cached = cache.length();
        long[] next = new long[n];
        long[] stepMask = new long[n * (cached + 1)];
        for (int i = 0; i < n; i++) {
            Seq s = seqs.get(i);
            next[i] = s.done() ? padToken : s.row.lastToken();
            Arrays.fill(stepMask, i * (cached + 1) + s.pad, (i + 1) * (cached + 1), 1L);
        }
        float[] logits = forwardLast(next, stepMask, n, 1, cache);
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
        int token = NextToken.sample(s.logits, s.offset, vocab, params.temperature(), params.topP(), params.topK(),
                row.rng);
        // the behaviour log-prob is that of the distribution sampled from, softmax(z/T), as the trainer computes it
        row.append(token, (float) NextToken.logSoftmaxAt(s.logits, s.offset, vocab, token, params.temperature()));
        if (s.topLogprobs > 0) row.setTop(TopLogprobs.of(s.logits, s.offset, vocab, s.topLogprobs));
        if (token == tokenizer.eosId()) {
            row.finish(FinishReason.EOS, null);
            return;
        }
        if (!s.stops.isEmpty()) {
            String text = tokenizer.decode(row.tokens());
            int cut = s.stops.find(text);
            if (cut >= 0) {
                row.finish(FinishReason.STOP, text.substring(0, cut));
                return;
            }
        }
        if (row.length() == params.maxNewTokens()) row.finish(FinishReason.LENGTH, null);
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
