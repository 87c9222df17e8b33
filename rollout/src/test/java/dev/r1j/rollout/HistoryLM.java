package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test double of a causal LM with logits known in closed form: {@code bigram[last real token]} plus, when
 * {@code historyWeight != 0}, a pseudo-random term that depends on the whole history of real (mask = 1) tokens and
 * therefore on left padding, cache bookkeeping and row order being right. Its cache stores each row's history, so
 * {@link KVCache#keepRows} mistakes change the output. It checks the {@link CausalLM} shape contract on every call
 * and records how many rows each forward had.
 *
 * <p>Why it is not rl-core's shared {@code dev.r1j.core.testing.TinyLM}: sampler tests compare sampled tokens and
 * log-probs with {@link #logitsAfter} worked out in Java (chi-square against softmax(z/T), exact top-k/top-p sets), set
 * the bigram table by hand to force chains and early EOS, and check the cache bookkeeping through {@link HistoryCache};
 * a model with trained or random weights gives none of that. It has no parameters and nothing to train.
 */
final class HistoryLM implements CausalLM {
    final float[][] bigram;
    final double historyWeight;
    final int vocab;
    final List<Integer> forwardRows = new ArrayList<>();
    private final NDManager manager = Djl.newManager();

    HistoryLM(float[][] bigram, double historyWeight) {
        this.bigram = bigram;
        this.historyWeight = historyWeight;
        this.vocab = bigram[0].length;
    }

    /** Random bigram table with entries in [-scale, scale]. */
    static HistoryLM random(int vocab, double scale, double historyWeight, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[][] t = new float[vocab][vocab];
        for (float[] row : t) for (int v = 0; v < vocab; v++) row[v] = (float) ((r.nextDouble() * 2 - 1) * scale);
        return new HistoryLM(t, historyWeight);
    }

    /** Logits after the given history of real tokens (empty history: zeros). */
    float[] logitsAfter(List<Integer> history) {
        float[] out = new float[vocab];
        if (history.isEmpty()) return out;
        float[] base = bigram[history.get(history.size() - 1)];
        long h = 1469598103934665603L;
        for (int tok : history) h = (h ^ tok) * 1099511628211L;
        for (int v = 0; v < vocab; v++) {
            long z = (h + v) * 0x9E3779B97F4A7C15L;
            z = (z ^ (z >>> 29)) * 0xBF58476D1CE4E5B9L;
            double noise = ((z >>> 11) * 0x1.0p-53) * 2 - 1;
            out[v] = (float) (base[v] + historyWeight * noise);
        }
        return out;
    }

    @Override
    public ModelConfig config() {
        return null;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache) {
        long[] ids = inputIds.toLongArray();
        long[] mask = attentionMask.toLongArray();
        int b = (int) inputIds.getShape().get(0);
        int t = (int) inputIds.getShape().get(1);
        int past = cache == null ? 0 : cache.length();
        Shape want = new Shape(b, past + t);
        if (!attentionMask.getShape().equals(want)) {
            throw new IllegalStateException("mask shape " + attentionMask.getShape() + ", contract says " + want);
        }
        HistoryCache hc = (HistoryCache) cache;
        if (hc != null && hc.batchSize() != b) {
            throw new IllegalStateException("cache has " + hc.batchSize() + " rows, ids have " + b);
        }
        if (hc != null && past + t > hc.maxLength) throw new IllegalStateException("cache overflow");
        forwardRows.add(b);
        float[] logits = new float[b * t * vocab];
        for (int r = 0; r < b; r++) {
            List<Integer> history = hc == null ? new ArrayList<>() : hc.rows.get(r);
            for (int p = 0; p < past; p++) {
                if (hc != null && mask[r * (past + t) + p] != hc.masks.get(r).get(p)) {
                    throw new IllegalStateException("mask of cached position " + p + " changed in row " + r);
                }
            }
            for (int s = 0; s < t; s++) {
                long m = mask[r * (past + t) + past + s];
                if (m == 1) history.add((int) ids[r * t + s]);
                if (hc != null) hc.masks.get(r).add(m);
                System.arraycopy(logitsAfter(history), 0, logits, (r * t + s) * vocab, vocab);
            }
        }
        if (hc != null) hc.length += t;
        return inputIds.getManager().create(logits, new Shape(b, t, vocab));
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        return new HistoryCache(batch, maxLength);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Map.of();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }

    /** The "cache": each row's real-token history and its mask so far. */
    static final class HistoryCache implements KVCache {
        final int maxLength;
        List<List<Integer>> rows = new ArrayList<>();
        List<List<Long>> masks = new ArrayList<>();
        int length;
        final List<int[]> keepRowsCalls = new ArrayList<>();

        HistoryCache(int batch, int maxLength) {
            this.maxLength = maxLength;
            for (int i = 0; i < batch; i++) {
                rows.add(new ArrayList<>());
                masks.add(new ArrayList<>());
            }
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public int batchSize() {
            return rows.size();
        }

        @Override
        public void keepRows(int[] keep) {
            keepRowsCalls.add(keep.clone());
            List<List<Integer>> r = new ArrayList<>();
            List<List<Long>> m = new ArrayList<>();
            for (int i : keep) {
                r.add(new ArrayList<>(rows.get(i)));
                m.add(new ArrayList<>(masks.get(i)));
            }
            rows = r;
            masks = m;
        }

        @Override
        public void close() {}
    }
}
