package dev.r1j.core.testing;

import dev.r1j.core.Scalars;

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
 * The one small trainable test model, shared through rl-core's test-jar, written independently of the production
 * {@code Transformer} so that trainer tests (GRPO, LM/SFT) do not pass or fail with it. Token embedding, optional
 * learned positions, {@code layers} pre-norm GPT blocks (RMSNorm, multi-head causal attention, GELU MLP), a final
 * RMSNorm after the blocks, and an output head. No KV cache: generation re-runs the whole prefix.
 *
 * <ul>
 *   <li>{@link #bigram}: no blocks, no positions, so {@code logits = E[token] · Wᵀ} depends on the current token
 *       alone; initialised with a large spread (σ = 0.5) so the start policy is far from uniform. Trains in a second.
 *   <li>{@link #gpt}: a tiny GPT (σ = 0.02, GPT-2's scaled init of the residual projections) that can learn
 *       context-dependent sequences.
 * </ul>
 *
 * <p>{@link #poison} makes every forward return NaN logits (for non-finite-loss tests). Rollout's {@code HistoryLM}
 * is not this model on purpose: sampler tests need logits known in closed form and a cache that records its calls.
 *
 * <pre>{@code
 * try (TinyLM model = TinyLM.bigram(root, 8, 4, 1)) {
 *     NDArray logits = model.forward(ids, mask, null); // [B, T, 8]
 * }
 * }</pre>
 */
public final class TinyLM implements CausalLM {
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final int vocab, hidden, layers, heads, maxPositions;
    /** When set, forward returns NaN logits. */
    public volatile boolean poison;

    /** A bigram model: logits depend on the current token only. */
    public static TinyLM bigram(NDManager parent, int vocab, int hidden, long seed) {
        return new TinyLM(parent, vocab, hidden, 0, 1, 0, 0.5, seed);
    }

    /** A GPT with {@code layers} blocks of {@code heads} heads and learned positions up to {@code maxPositions}. */
    public static TinyLM gpt(NDManager parent, int vocab, int hidden, int layers, int heads, int maxPositions,
            long seed) {
        return new TinyLM(parent, vocab, hidden, layers, heads, maxPositions, 0.02, seed);
    }

    private TinyLM(NDManager parent, int vocab, int hidden, int layers, int heads, int maxPositions, double std,
            long seed) {
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden " + hidden + " not divisible by " + heads);
        this.manager = parent.newSubManager();
        this.vocab = vocab;
        this.hidden = hidden;
        this.layers = layers;
        this.heads = heads;
        this.maxPositions = maxPositions;
        Random rng = new Random(seed);
        double projStd = layers == 0 ? std : std / Math.sqrt(2.0 * layers);
        params.put("model.embed_tokens.weight", normal(rng, std, vocab, hidden));
        if (maxPositions > 0) params.put("model.embed_positions.weight", normal(rng, std, maxPositions, hidden));
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            params.put(p + "input_layernorm.weight", manager.ones(new Shape(hidden)));
            params.put(p + "self_attn.qkv_proj.weight", normal(rng, std, hidden, 3 * hidden));
            params.put(p + "self_attn.o_proj.weight", normal(rng, projStd, hidden, hidden));
            params.put(p + "post_attention_layernorm.weight", manager.ones(new Shape(hidden)));
            params.put(p + "mlp.fc1.weight", normal(rng, std, hidden, 4 * hidden));
            params.put(p + "mlp.fc2.weight", normal(rng, projStd, 4 * hidden, hidden));
        }
        if (layers > 0) params.put("model.norm.weight", manager.ones(new Shape(hidden)));
        params.put("lm_head.weight", normal(rng, std, vocab, hidden));
    }

    private NDArray normal(Random rng, double std, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) d[i] = (float) (rng.nextGaussian() * std);
        return manager.create(d, new Shape(rows, cols));
    }

    private static NDArray rms(NDArray x, NDArray g) {
        // no NDArray-with-number ops on the autograd path (pow/mul/div(Number)): see rl-core Scalars
        return x.div(x.square().mean(new int[] {-1}, true).add(1e-5f).sqrt()).mul(g);
    }

    @Override
    public NDArray forward(NDArray ids, NDArray mask, KVCache cache) {
        if (cache != null) throw new UnsupportedOperationException("TinyLM has no KV cache");
        NDArray x = ids.oneHot(vocab).toType(DataType.FLOAT32, false).matMul(params.get("model.embed_tokens.weight"));
        if (maxPositions > 0) {
            NDArray pos = mask.cumSum(1).sub(1).clip(0, maxPositions - 1);
            x = x.add(pos.oneHot(maxPositions).toType(DataType.FLOAT32, false)
                    .matMul(params.get("model.embed_positions.weight")));
        }
        if (layers > 0) x = rms(blocks(x, mask), params.get("model.norm.weight"));
        NDArray logits = x.matMul(params.get("lm_head.weight").transpose());
        return poison ? Scalars.mul(logits, Float.NaN) : logits;
    }

    private NDArray blocks(NDArray x, NDArray mask) {
        long b = x.getShape().get(0), t = x.getShape().get(1);
        float[] causal = new float[(int) (t * t)];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) causal[(int) (i * t + j)] = -1e9f;
        NDArray bias = x.getManager().create(causal, new Shape(1, 1, t, t))
                .add(mask.toType(DataType.FLOAT32, false).sub(1f).mul(1e9f).reshape(b, 1, 1, t));
        int hd = hidden / heads;
        for (int l = 0; l < layers; l++) {
            String p = "model.layers." + l + ".";
            NDArray h = rms(x, params.get(p + "input_layernorm.weight"));
            NDList qkv = h.matMul(params.get(p + "self_attn.qkv_proj.weight")).split(3, 2);
            NDArray q = qkv.get(0).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray k = qkv.get(1).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray v = qkv.get(2).reshape(b, t, heads, hd).transpose(0, 2, 1, 3);
            NDArray att = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1 / Math.sqrt(hd)).add(bias).softmax(-1);
            NDArray o = att.matMul(v).transpose(0, 2, 1, 3).reshape(b, t, hidden);
            x = x.add(o.matMul(params.get(p + "self_attn.o_proj.weight")));
            NDArray f = rms(x, params.get(p + "post_attention_layernorm.weight"))
                    .matMul(params.get(p + "mlp.fc1.weight"));
            f = f.mul(Scalars.mul(f, 1.702).getNDArrayInternal().sigmoid()); // GELU, sigmoid approximation
            x = x.add(f.matMul(params.get(p + "mlp.fc2.weight")));
        }
        return x;
    }

    /** Logits of the last position for each row, float32 {@code [B, V]}. */
    public NDArray lastLogits(NDArray ids, NDArray mask) {
        long t = ids.getShape().get(1);
        return forward(ids, mask, null).get(new NDIndex(":, {}, :", t - 1));
    }

    /** No {@link ModelConfig}: this model is not one of the production architectures. */
    @Override
    public ModelConfig config() {
        return null;
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        throw new UnsupportedOperationException("TinyLM has no KV cache");
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
