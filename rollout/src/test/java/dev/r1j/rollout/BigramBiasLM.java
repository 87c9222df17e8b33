package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import java.util.Map;

/**
 * A real model plus a fixed bigram bias: the logits at a position get {@code bias[token at that position]} added.
 * The bias depends only on the input token of the same position, so decoding with the cache and one full forward
 * see the same logits, and a strong bias scripts a chain of tokens (e.g. a tool call) out of an untrained model whose
 * own attention, cache and positions still decide the rest.
 */
final class BigramBiasLM implements CausalLM {
    final CausalLM model;
    final NDArray bias; // [vocab, vocab]

    BigramBiasLM(CausalLM model, float[][] bias) {
        this.model = model;
        int v = bias.length;
        float[] flat = new float[v * v];
        for (int i = 0; i < v; i++) System.arraycopy(bias[i], 0, flat, i * v, v);
        this.bias = model.manager().create(flat, new ai.djl.ndarray.types.Shape(v, v));
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache) {
        NDArray logits = model.forward(inputIds, attentionMask, cache);
        NDArray b = bias.get(new ai.djl.ndarray.index.NDIndex("{}", inputIds.flatten())).reshape(logits.getShape());
        return logits.add(b);
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        return model.newCache(batch, maxLength);
    }

    @Override
    public Map<String, NDArray> parameters() {
        return model.parameters();
    }

    @Override
    public NDManager manager() {
        return model.manager();
    }

    @Override
    public void close() {
        bias.close();
    }
}
