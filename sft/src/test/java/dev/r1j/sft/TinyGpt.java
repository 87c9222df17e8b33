package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.KVCache;
import dev.r1j.core.model.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A tiny pre-norm GPT (learned positions, RMSNorm, GELU MLP) for the trainer's tests, so they do not depend on the
 * production {@code Transformer}. No KV cache: generation re-runs the whole prefix.
 */
final class TinyGpt implements CausalLM {
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final int vocab, hidden, layers, heads, maxPos;

    TinyGpt(NDManager parent, int vocab, int hidden, int layers, int heads, int maxPos, long seed) {
        this.manager = parent.newSubManager();
        this.vocab = vocab;
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.maxPos = maxPos;
        Random rng = new Random(seed);
        double projStd = 0.02 / Math.sqrt(2.0 * layers);
        add("wte", normal(rng, 0.02, vocab, hidden));
        add("wpe", normal(rng, 0.02, maxPos, hidden));
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            add(p + "input_norm.weight", manager.ones(new Shape(hidden)));
            add(p + "qkv", normal(rng, 0.02, hidden, 3 * hidden));
            add(p + "o_proj", normal(rng, projStd, hidden, hidden));
            add(p + "post_norm.weight", manager.ones(new Shape(hidden)));
            add(p + "fc1", normal(rng, 0.02, hidden, 4 * hidden));
            add(p + "fc2", normal(rng, projStd, 4 * hidden, hidden));
        }
        add("norm.weight", manager.ones(new Shape(hidden)));
        add("lm_head", normal(rng, 0.02, hidden, vocab));
    }

    private NDArray normal(Random rng, double std, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) (rng.nextGaussian() * std);
        return manager.create(d, new Shape(rows, cols));
    }

    private void add(String name, NDArray a) {
        params.put(name, a);
    }

    private static NDArray rms(NDArray x, NDArray g) {
        return x.mul(x.square().mean(new int[] {-1}, true).add(1e-5f).pow(-0.5f)).mul(g);
    }

    @Override
    public NDArray forward(NDArray ids, NDArray mask, KVCache cache) {
        if (cache != null) throw new UnsupportedOperationException("TinyGpt has no KV cache");
        NDManager m = ids.getManager();
        long b = ids.getShape().get(0), t = ids.getShape().get(1);
        NDArray pos = mask.cumSum(1).sub(1).clip(0, maxPos - 1);
        NDArray x = ids.oneHot(vocab).toType(DataType.FLOAT32, false).matMul(params.get("wte"))
                .add(pos.oneHot(maxPos).toType(DataType.FLOAT32, false).matMul(params.get("wpe")));
        float[] causal = new float[(int) (t * t)];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) causal[(int) (i * t + j)] = -1e9f;
        NDArray bias = m.create(causal, new Shape(1, 1, t, t))
                .add(mask.toType(DataType.FLOAT32, false).sub(1f).mul(1e9f).reshape(b, 1, 1, t));
        int hd = hidden / heads;
        for (int l = 0; l < layers; l++) {
            String p = "layers." + l + ".";
            NDArray h = rms(x, params.get(p + "input_norm.weight"));
            NDList qkv = h.matMul(params.get(p + "qkv")).split(3, 2);
            NDArray q = qkv.get(0).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = qkv.get(1).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(2).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray att = q.matMul(k.transpose(0, 1, 3, 2)).mul((float) (1 / Math.sqrt(hd))).add(bias).softmax(-1);
            NDArray o = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, hidden);
            x = x.add(o.matMul(params.get(p + "o_proj")));
            NDArray f = rms(x, params.get(p + "post_norm.weight")).matMul(params.get(p + "fc1"));
            f = f.mul(f.mul(1.702f).getNDArrayInternal().sigmoid());
            x = x.add(f.matMul(params.get(p + "fc2")));
        }
        return rms(x, params.get("norm.weight")).matMul(params.get("lm_head"));
    }

    /** Logits of the last position for each row, float32 [B, V]. */
    NDArray lastLogits(NDArray ids, NDArray mask) {
        long t = ids.getShape().get(1);
        return forward(ids, mask, null).get(new NDIndex(":, {}, :", t - 1));
    }

    @Override
    public ModelConfig config() {
        return null;
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        throw new UnsupportedOperationException("TinyGpt has no KV cache");
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
