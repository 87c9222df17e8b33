package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A test-only causal LM whose next-token logits depend on the current token alone:
 * {@code logits = onehot(ids) @ E @ W^T}. Small enough to train in a second, independent of the real transformer.
 */
final class TinyBigramLM implements CausalLM {
    final int vocab;
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    volatile boolean poison; // when set, forward returns NaN logits

    TinyBigramLM(NDManager parent, int vocab, int hidden, long seed) {
        this.vocab = vocab;
        this.manager = parent.newSubManager();
        Random rnd = new Random(seed);
        params.put("model.embed_tokens.weight", randn(vocab, hidden, rnd, 0.5));
        params.put("lm_head.weight", randn(vocab, hidden, rnd, 0.5));
    }

    private NDArray randn(int r, int c, Random rnd, double scale) {
        float[] x = new float[r * c];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * scale);
        return manager.create(x, new Shape(r, c));
    }

    @Override
    public ModelConfig config() {
        return null;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache) {
        NDArray h = inputIds.oneHot(vocab).matMul(params.get("model.embed_tokens.weight"));
        NDArray logits = h.matMul(params.get("lm_head.weight").transpose());
        return poison ? logits.mul(Float.NaN) : logits;
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        throw new UnsupportedOperationException("no cache in the test model");
    }

    @Override
    public Map<String, NDArray> parameters() {
        return params;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public void close() {
        manager.close();
    }
}
