package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Embedding;
import ai.djl.ndarray.types.SparseFormat;
import dev.r1j.core.Scalars;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A decoder-only transformer ({@code llama}, {@code qwen2}, {@code deepseek_v3}) written functionally, like
 * nanoGPT's {@code model.py}: the parameters are plain NDArrays under their Hugging Face names and
 * {@link #forward} is one readable pass over them (no DJL Block API), so a checkpoint maps 1:1 onto
 * {@link #parameters()} and autograd sees every op.
 *
 * <p>Per layer: {@code h += attn(rmsnorm(h)); h += mlp(rmsnorm(h))}. Attention is grouped-query (heads share
 * k/v in groups; computed as one batched matmul per layer by folding the group into the query axis, no k/v
 * repeat) or, for deepseek_v3, multi-head latent attention; the MLP is SwiGLU, or for deepseek_v3's later
 * layers the mixture of experts ({@link Moe}). Padding: position ids are {@code cumsum(mask) - 1} and masked
 * keys get a large finite negative score (not -inf, so a query row that is all padding stays finite).
 *
 * <pre>{@code
 * try (NDManager m = Djl.newManager();
 *      Transformer model = Transformer.create(ModelConfig.tinyLlama(64), m, 42)) {
 *     NDArray ids = m.create(new long[][] {{1, 2, 3}});
 *     NDArray logits = model.forward(ids, m.ones(ids.getShape(), DataType.INT64), null); // [1, 3, 64]
 * }
 * }</pre>
 */
public final class Transformer implements CausalLM {
    /** Score added at masked (future or padded) keys. */
    static final float MASKED = -1e9f;

    private final ModelConfig config;
    private final NDManager manager;
    private final LinkedHashMap<String, NDArray> params;
    private final Rope rope;
    private final NDArray[] ropeMatrices;
    private final DataType dtype;
    private final double attentionScale;
    private final List<CheckpointedPass> pendingCheckpoints = new ArrayList<>();
    private final List<Runnable> pendingHeads = new ArrayList<>();
    private final boolean view;
    private boolean gradientCheckpointing;
    private boolean releasedOnce;
    private LoraAdapters adapters;
    private ExpertRouting expertRouting;

    private Transformer(ModelConfig config, NDManager manager, LinkedHashMap<String, NDArray> params) {
        this.config = config;
        this.manager = manager;
        this.params = params;
        this.dtype = params.get("model.embed_tokens.weight").getDataType();
        this.rope = new Rope(config);
        this.ropeMatrices = rope.matrices(manager, dtype);
        this.view = false;
        for (NDArray p : params.values()) {
            p.setRequiresGradient(true);
        }
        if (config.deepseek() == null) {
            attentionScale = 1.0 / Math.sqrt(config.headDim());
        } else {
            double s = 1.0 / Math.sqrt(config.deepseek().qkHeadDim());
            RopeScaling r = config.ropeScaling();
            if (r != null && r.mscaleAllDim() != null && r.mscaleAllDim() != 0) {
                double ms = RopeScaling.yarnMscale(r.factor(), r.mscaleAllDim());
                s *= ms * ms;
            }
            attentionScale = s;
        }
    }

    /** A view of {@code base} without its adapters: the same arrays, closed with {@code base}, not by the view. */
    private Transformer(Transformer base) {
        this.config = base.config;
        this.manager = base.manager;
        this.params = base.params;
        this.dtype = base.dtype;
        this.rope = base.rope;
        this.ropeMatrices = base.ropeMatrices;
        this.attentionScale = base.attentionScale;
        this.view = true;
    }

    /**
     * A randomly initialised model: N(0, 0.02) for linear and embedding weights, 1 for norms, 0 for biases. Each
     * tensor draws from {@code SplittableRandom(seed ^ hash(name))}, so init is reproducible across runs and
     * independent of the other tensors. Parameters live in a sub-manager of {@code manager}, closed by
     * {@link #close()}.
     */
    public static Transformer create(ModelConfig config, NDManager manager, long seed) {
        NDManager own = manager.newSubManager();
        LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expectedShapes(config).entrySet()) {
            Shape shape = new Shape(e.getValue());
            int size = Math.toIntExact(shape.size());
            float[] data = new float[size];
            switch (ParameterLayout.initOf(e.getKey())) {
                case ONES -> Arrays.fill(data, 1f);
                case ZEROS -> { }
                case NORMAL -> {
                    SplittableRandom rng = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * e.getKey().hashCode()));
                    for (int i = 0; i < size; i++) {
                        data[i] = (float) (0.02 * rng.nextGaussian());
                    }
                }
            }
            NDArray a = own.create(data, shape);
            a.setName(e.getKey());
            params.put(e.getKey(), a);
        }
        return new Transformer(config, own, params);
    }

    /**
     * A model over existing weights (e.g. from a checkpoint). Every expected tensor must be present with its exact
     * shape, nothing else may be, and all must share one float dtype (float32, or float64 for exact tests). The
     * arrays are attached to a sub-manager of {@code manager}, owned and closed by the model.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or mis-shaped tensor
     */
    public static Transformer fromParameters(ModelConfig config, NDManager manager, Map<String, NDArray> tensors) {
        LinkedHashMap<String, long[]> expected = expectedShapes(config);
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor \"" + name + "\" for a " + config.modelType()
                        + " model with this config (" + expected.size() + " tensors expected)");
            }
        }
        DataType dt = null;
        LinkedHashMap<String, NDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            NDArray a = tensors.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("missing tensor \"" + e.getKey() + "\" (expected shape "
                        + Arrays.toString(e.getValue()) + ")");
            }
            long[] found = a.getShape().getShape();
            if (!Arrays.equals(found, e.getValue())) {
                throw new IllegalArgumentException("tensor \"" + e.getKey() + "\": expected shape "
                        + Arrays.toString(e.getValue()) + ", found " + Arrays.toString(found));
            }
            if (a.getDataType() != DataType.FLOAT32 && a.getDataType() != DataType.FLOAT64) {
                throw new IllegalArgumentException("tensor \"" + e.getKey() + "\": expected float32 (or float64), found "
                        + a.getDataType() + "; convert when loading");
            }
            if (dt != null && a.getDataType() != dt) {
                throw new IllegalArgumentException("tensor \"" + e.getKey() + "\": expected " + dt
                        + " like the others, found " + a.getDataType());
            }
            dt = a.getDataType();
            params.put(e.getKey(), a);
        }
        NDManager own = manager.newSubManager();
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            e.getValue().attach(own);
            e.getValue().setName(e.getKey());
        }
        return new Transformer(config, own, params);
    }

    /** Hugging Face parameter names and shapes for {@code config}, in state_dict order. */
    public static LinkedHashMap<String, long[]> expectedShapes(ModelConfig config) {
        return ParameterLayout.shapes(config);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return Collections.unmodifiableMap(params);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /** The parameters' float type (float32; float64 in exact tests). */
    public DataType dtype() {
        return dtype;
    }

    /**
     * Attaches LoRA adapters (made for this model by {@link LoraAdapters#create} or {@link LoraAdapters#load}):
     * every forward adds them, only they get gradients ({@link #trainableParameters}), the base weights record
     * none. {@code null} detaches them and makes the base trainable again. The model does not own the adapters.
     */
    public void setAdapters(LoraAdapters adapters) {
        if (adapters != null) {
            for (String module : adapters.modules()) {
                if (!params.containsKey(module + ".weight")) {
                    throw new IllegalArgumentException("adapter module " + module + " is not in this model");
                }
            }
            if (adapters.config().dropout() > 0 && gradientCheckpointing) {
                throw new IllegalArgumentException(DROPOUT_AND_CHECKPOINTING);
            }
        }
        this.adapters = adapters;
        for (NDArray p : params.values()) p.setRequiresGradient(adapters == null);
    }

    private static final String DROPOUT_AND_CHECKPOINTING = "lora.dropout > 0 cannot be combined with "
            + "gradient_checkpointing: the recomputed forward would draw another dropout mask (set lora.dropout: 0)";

    public LoraAdapters adapters() {
        return adapters;
    }

    /**
     * Frees the base parameters' gradients (about 2 GB at 0.5B) between optimizer steps, so that they do not sit
     * through the next generation and reference pass. DJL 0.36 can only zero a {@code .grad} in place, so each
     * parameter is replaced in {@link #parameters()} by a copy without autograd state, and the old array, which holds
     * the gradient, is closed; the next backward allocates the gradients again, and the values trained are identical.
     * A copy, not a detached view of the same memory: arrays made from Java data (a loaded checkpoint, the random
     * init, a {@code set(Buffer)}) keep their memory in a direct buffer that only the array object keeps reachable,
     * and a view would outlive it (a use after free once a GC runs). Smallest first, so that the copy of the largest
     * (the embedding) is made once the others' gradients are gone: the step's peak does not grow. The first call also
     * runs a GC, which returns the loaded weights' direct buffers. Returns false, releasing nothing, with adapters
     * attached (the trainable arrays are then theirs, and small) or on a {@link #withoutAdapters()} view.
     */
    @Override
    public boolean releaseGradients() {
        if (view || adapters != null) return false;
        List<String> bySize = new ArrayList<>(params.keySet());
        bySize.sort(Comparator.comparingLong(n -> params.get(n).size()));
        Djl.withoutGradients(() -> {
            for (String name : bySize) {
                NDArray old = params.get(name);
                NDArray fresh = old.duplicate(); // PyTorch's own memory, no autograd state
                fresh.setName(name);
                fresh.setRequiresGradient(true);
                params.put(name, fresh); // an existing key: the order is kept
                old.close();
            }
            return null;
        });
        if (!releasedOnce) {
            releasedOnce = true;
            System.gc();
        }
        return true;
    }

    @Override
    public boolean hasExperts() {
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            if (config.isMoeLayer(i)) return true;
        }
        return false;
    }

    /**
     * Sets the hook every MoE layer hands its expert choice to ({@code null}: none, the router decides). Only this
     * object's forwards use it ({@link #withoutAdapters()} views have their own, none at first).
     *
     * @throws IllegalStateException on a model without MoE layers
     */
    @Override
    public void setExpertRouting(ExpertRouting routing) {
        if (routing != null && !hasExperts()) {
            throw new IllegalStateException("expert routing on a " + config.modelType()
                    + " model without mixture-of-experts layers");
        }
        this.expertRouting = routing;
    }

    @Override
    public ExpertRouting expertRouting() {
        return expertRouting;
    }

    /** The adapter weights when adapters are attached, else every parameter. */
    @Override
    public Map<String, NDArray> trainableParameters() {
        return adapters != null ? adapters.parameters() : parameters();
    }

    /**
     * This model with its adapters off, sharing every base array (no copy): the reference model of LoRA training.
     * Closing the view frees nothing; the view must not outlive this model.
     */
    public Transformer withoutAdapters() {
        return new Transformer(this);
    }

    /**
     * The parameters with the adapters merged in ({@code W + scaling * B A} for each adapted module), a full Hugging
     * Face state dict; merged weights are new arrays owned by {@code manager}, the others are the live base arrays.
     */
    public Map<String, NDArray> mergedParameters(NDManager manager) {
        LinkedHashMap<String, NDArray> out = new LinkedHashMap<>(params);
        if (adapters == null) return out;
        for (String module : adapters.modules()) {
            NDArray merged = adapters.merge(module, params.get(module + ".weight").stopGradient());
            merged.attach(manager);
            out.put(module + ".weight", merged);
        }
        return out;
    }

    /**
     * Folds the attached adapters into the base weights in place ({@code W + scaling * B A}, the old arrays freed)
     * and detaches them: afterwards this is a plain model computing what the adapted one did, and its
     * {@link #parameters()} are a full Hugging Face state dict. Used when a checkpoint is an adapter directory
     * (loaded as base + adapter) and when a LoRA stage writes a merged checkpoint. The adapters themselves stay open
     * (their owner closes them). No effect without adapters.
     */
    public void mergeAdapters() {
        if (view) throw new IllegalStateException("a view without adapters cannot merge");
        LoraAdapters a = adapters;
        if (a == null) return;
        dev.r1j.core.Djl.withoutGradients(() -> {
            for (String module : a.modules()) {
                String name = module + ".weight";
                NDArray old = params.get(name);
                NDArray merged = a.merge(module, old);
                merged.attach(manager);
                merged.setName(name);
                params.put(name, merged);
                old.close();
            }
            return null;
        });
        setAdapters(null);
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        return new TransformerCache(manager, config.numHiddenLayers(), batch, maxLength);
    }

    /** Number of scalar parameters. */
    public long parameterCount() {
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.getShape().size();
        }
        return n;
    }

    /**
     * Training FLOPs per token (forward + backward = 3x forward) at sequence length {@code seqLen}: 6 per weight
     * used in a matmul (the embedding lookup is free; only the chosen experts count) plus attention scores and
     * weighted sum, 3 * 2 * 2 * layers * seqLen * heads * head dims (the full square is computed, so no causal
     * halving).
     */
    public double trainingFlopsPerToken(int seqLen) {
        double matmulWeights = 0;
        for (Map.Entry<String, NDArray> e : params.entrySet()) {
            String n = e.getKey();
            if (!n.endsWith(".weight") || n.endsWith("norm.weight") || n.equals("model.embed_tokens.weight")) {
                continue;
            }
            matmulWeights += e.getValue().getShape().size();
        }
        if (config.tieWordEmbeddings()) {
            matmulWeights += (double) config.vocabSize() * config.hiddenSize();
        }
        ModelConfig.DeepSeekV3 d = config.deepseek();
        int qk;
        int v;
        if (d != null) {
            long perExpert = 3L * d.moeIntermediateSize() * config.hiddenSize();
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                if (config.isMoeLayer(i)) {
                    matmulWeights -= (double) perExpert * (d.nRoutedExperts() - d.numExpertsPerTok());
                }
            }
            qk = d.qkHeadDim();
            v = d.vHeadDim();
        } else {
            qk = config.headDim();
            v = config.headDim();
        }
        double attention = 2.0 * config.numHiddenLayers() * seqLen * config.numAttentionHeads() * (qk + v);
        return 6 * matmulWeights + 3 * attention;
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache kvCache) {
        return forward(inputIds, attentionMask, kvCache, false);
    }

    private NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache kvCache, boolean lastOnly) {
        long[] idShape = inputIds.getShape().getShape();
        if (idShape.length != 2) {
            throw new IllegalArgumentException("inputIds: expected shape [B, T], found " + inputIds.getShape());
        }
        int b = (int) idShape[0];
        int t = (int) idShape[1];
        TransformerCache cache = (TransformerCache) kvCache;
        int past = cache == null ? 0 : cache.length();
        NDManager m = inputIds.getManager();
        NDArray mask = attentionMask != null ? attentionMask : m.ones(new Shape(b, past + t), DataType.INT64);
        if (mask.getShape().dimension() != 2 || mask.getShape().get(0) != b || mask.getShape().get(1) != past + t) {
            throw new IllegalArgumentException("attentionMask: expected shape [" + b + ", " + (past + t) + "] ("
                    + past + " cached + " + t + " new positions), found " + mask.getShape());
        }
        if (cache != null && cache.batchSize() != b) {
            throw new IllegalArgumentException("cache holds " + cache.batchSize() + " rows, inputIds has " + b);
        }
        NDArray positions = mask.toType(DataType.INT64, false).cumSum(1).sub(1).maximum(0)
                .get(new NDIndex(":, {}:", past));
        NDArray hidden = decodeHidden(inputIds, positions, additiveMask(mask, past, t), cache, past,
                mask.get(new NDIndex(":, {}:", past)));
        NDArray h = lastOnly ? hidden.get(new NDIndex(":, -1, :")) : hidden;
        NDArray logits = logits(h);
        hidden.close();
        return logits;
    }

    /** The LM head on the last position only: a prefill computes {@code [B, vocab]} logits, not {@code [B, T, vocab]}. */
    @Override
    public NDArray forwardLast(NDArray inputIds, NDArray attentionMask, KVCache kvCache) {
        return forward(inputIds, attentionMask, kvCache, true);
    }

    /**
     * Forward over packed rows: several examples laid end to end in one row, each seeing only itself. Token
     * {@code t} attends to token {@code s <= t} only when both carry the same segment id, and its rotary position
     * is the number of earlier tokens of its segment, so every example gets exactly the logits it would get alone.
     * Segment id 0 marks padding (attends to nothing useful; its logits are meaningless).
     *
     * @param segmentIds int64 {@code [B, T]}: a positive id per example, 0 for padding
     */
    @Override
    public NDArray forwardPacked(NDArray inputIds, NDArray segmentIds) {
        long[] shape = inputIds.getShape().getShape();
        if (shape.length != 2 || !segmentIds.getShape().equals(inputIds.getShape())) {
            throw new IllegalArgumentException("forwardPacked: expected inputIds and segmentIds of one shape [B, T], "
                    + "found " + inputIds.getShape() + " and " + segmentIds.getShape());
        }
        int b = (int) shape[0];
        int t = (int) shape[1];
        long[] seg = segmentIds.toType(DataType.INT64, false).toLongArray();
        long[] pos = new long[seg.length];
        for (int r = 0; r < b; r++) {
            // position = earlier tokens of the same segment (segments are contiguous in practice; this is exact anyway)
            Map<Long, Long> seen = new HashMap<>();
            for (int i = 0; i < t; i++) {
                long id = seg[r * t + i];
                long n = seen.getOrDefault(id, 0L);
                pos[r * t + i] = id == 0 ? 0 : n;
                seen.put(id, n + 1);
            }
        }
        NDManager m = inputIds.getManager();
        NDArray segs = m.create(seg, new Shape(b, t));
        NDArray same = segs.expandDims(2).eq(segs.expandDims(1));
        NDArray real = segs.neq(0).expandDims(1);
        float[] lower = new float[t * t];
        for (int i = 0; i < t; i++) {
            Arrays.fill(lower, i * t, i * t + i + 1, 1f);
        }
        NDArray allowed = same.logicalAnd(real).toType(DataType.FLOAT32, false).mul(m.create(lower, new Shape(1, t, t)));
        NDArray bias = allowed.sub(1).mul(-MASKED).reshape(b, 1, t, t).toType(dtype, false);
        return decode(inputIds, m.create(pos, new Shape(b, t)), bias, null, 0, segs.neq(0));
    }

    /** The decoder proper, for given rotary positions {@code [B, T]} and additive attention bias {@code [B, 1, T, P+T]}. */
    private NDArray decode(NDArray inputIds, NDArray positions, NDArray bias, TransformerCache cache, int past,
            NDArray realTokens) {
        NDArray hidden = decodeHidden(inputIds, positions, bias, cache, past, realTokens);
        NDArray logits = logits(hidden);
        hidden.close();
        return logits;
    }

    /**
     * Embedding, the decoder layers and the final norm. Each layer runs in a sub-manager closed when the layer is
     * done, so only the layer's output handle survives it: without autograd the intermediates are freed at once,
     * with it the graph keeps exactly what backward needs. With gradient checkpointing (and autograd on, no cache)
     * the layers run without autograd and only their inputs are kept; {@link #backward} recomputes them.
     * {@code realTokens [B, T]} (nonzero = a real token) is read only when an {@link ExpertRouting} hook is set.
     */
    private NDArray decodeHidden(NDArray inputIds, NDArray positions, NDArray bias, TransformerCache cache, int past,
            NDArray realTokens) {
        int t = (int) inputIds.getShape().get(1);
        NDManager outer = inputIds.getManager();
        NDArray[] cosSin = rope.cosSin(positions, dtype);
        ExpertRouting.Tokens tokens = expertRouting == null ? null : new ExpertRouting.Tokens(
                (int) inputIds.getShape().get(0), t, inputIds.toType(DataType.INT64, false).toLongArray(),
                realTokens.toType(DataType.INT64, false).toLongArray());
        Layers layers = new Layers(cosSin, bias, cache, past, tokens);

        NDArray h = Embedding.embedding(inputIds, p("model.embed_tokens.weight"), SparseFormat.DENSE).singletonOrThrow();
        boolean checkpoint = gradientCheckpointing && cache == null && JniUtils.isGradMode();
        if (checkpoint) {
            NDArray[] inputs = new NDArray[config.numHiddenLayers()];
            NDArray x = h;
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = x;
                int layer = i;
                NDArray in = x;
                x = Djl.withoutGradients(() -> layers.run(layer, in, outer));
            }
            x.setRequiresGradient(true);
            pendingCheckpoints.add(new CheckpointedPass(layers, inputs, x));
            h = x;
        } else {
            for (int i = 0; i < config.numHiddenLayers(); i++) {
                NDArray next = layers.run(i, h, outer);
                h.close();
                h = next;
            }
        }
        if (cache != null) {
            cache.advance(t);
        }
        return Ops.rmsNorm(h, p("model.norm.weight"), config.rmsNormEps());
    }

    /** The decoder layers of one pass, with what they share (rotary tables, attention bias, cache). */
    private final class Layers {
        final NDArray[] cosSin;
        final NDArray bias;
        final TransformerCache cache;
        final int past;
        final ExpertRouting.Tokens tokens;

        Layers(NDArray[] cosSin, NDArray bias, TransformerCache cache, int past, ExpertRouting.Tokens tokens) {
            this.cosSin = cosSin;
            this.bias = bias;
            this.cache = cache;
            this.past = past;
            this.tokens = tokens;
        }

        /** Layer {@code i} on {@code h}, its intermediates in a sub-manager closed here; the output in {@code out}. */
        NDArray run(int i, NDArray h, NDManager out) {
            try (NDManager lm = out.newSubManager()) {
                NDArray x0 = h.reshape(h.getShape()); // a handle of our own, so the ops' results land in lm
                x0.attach(lm);
                String pre = "model.layers." + i + ".";
                NDArray x = Ops.rmsNorm(x0, p(pre + "input_layernorm.weight"), config.rmsNormEps());
                NDArray a = config.deepseek() == null
                        ? groupedQueryAttention(pre + "self_attn.", i, x, cosSin, bias, cache, past)
                        : latentAttention(pre + "self_attn.", i, x, cosSin, bias, cache, past);
                NDArray h1 = x0.add(a);
                x = Ops.rmsNorm(h1, p(pre + "post_attention_layernorm.weight"), config.rmsNormEps());
                NDArray y = h1.add(mlp(pre + "mlp.", i, x, tokens));
                y.attach(out);
                return y;
            }
        }
    }

    /** A forward whose layers ran without autograd: each layer's input, and the last output (a leaf with grad). */
    private record CheckpointedPass(Layers layers, NDArray[] inputs, NDArray output) {}

    /**
     * Gradient checkpointing (activation recomputation) per decoder layer: a forward under autograd keeps only
     * each layer's input, and {@link #backward} recomputes one layer at a time to backpropagate through it. Trades
     * one extra forward of the layers for their activations; gradients are those of the plain backward.
     */
    public void setGradientCheckpointing(boolean on) {
        if (on && adapters != null && adapters.config().dropout() > 0) {
            throw new IllegalArgumentException(DROPOUT_AND_CHECKPOINTING);
        }
        this.gradientCheckpointing = on;
    }

    public boolean gradientCheckpointing() {
        return gradientCheckpointing;
    }

    /**
     * With gradient checkpointing the LM head is recomputed too: {@link LogProbs} under autograd keeps only the
     * final hidden states and {@link #backward} reruns the head chunk by chunk ({@link RecomputedHead}).
     */
    @Override
    public boolean recomputesHeadInBackward() {
        return gradientCheckpointing && JniUtils.isGradMode();
    }

    @Override
    public void deferBackward(Runnable step) {
        pendingHeads.add(step);
    }

    /** Recomputed-head passes waiting for {@link #backward} (for tests). */
    int pendingHeadPasses() {
        return pendingHeads.size();
    }

    /** Checkpointed forwards waiting for {@link #backward} (for tests). */
    int pendingCheckpointedPasses() {
        return pendingCheckpoints.size();
    }

    /**
     * {@code collector.backward(loss)}, then every recomputed LM head (latest first), then, for every checkpointed forward since the last backward, the layers in
     * reverse: recompute layer {@code i} with autograd from its kept input, backpropagate the gradient that arrived
     * at its output, and hand the gradient at its input to layer {@code i - 1} (the last to the embedding).
     */
    @Override
    public void backward(GradientCollector collector, NDArray loss) {
        collector.backward(loss);
        List<Runnable> heads = new ArrayList<>(pendingHeads);
        pendingHeads.clear();
        for (int k = heads.size() - 1; k >= 0; k--) heads.get(k).run(); // deposits the gradient at each pass's output
        List<CheckpointedPass> passes = new ArrayList<>(pendingCheckpoints);
        pendingCheckpoints.clear();
        for (int k = passes.size() - 1; k >= 0; k--) {
            CheckpointedPass pass = passes.get(k);
            if (pass.output().isReleased() || !pass.output().hasGradient()) continue; // a forward never backpropagated
            NDManager pm = pass.output().getManager().newSubManager();
            try {
                NDArray grad = pass.output().getGradient();
                grad.attach(pm);
                for (int i = pass.inputs().length - 1; i >= 0; i--) {
                    NDArray input = pass.inputs()[i];
                    try (NDManager lm = pm.newSubManager()) {
                        NDArray leaf = input.stopGradient();
                        leaf.attach(lm);
                        leaf.setRequiresGradient(true);
                        NDArray y = pass.layers().run(i, leaf, lm);
                        JniUtils.backward((PtNDArray) y, (PtNDArray) grad, false, false);
                        NDArray inGrad = leaf.getGradient();
                        // copy out before the leaf (and its .grad) go with lm
                        NDArray keep = inGrad.duplicate();
                        keep.attach(pm);
                        inGrad.close();
                        grad = keep;
                    }
                }
                // the first layer's input is the embedding's output, still carrying its graph
                // (with LoRA the embedding is frozen and its output has no graph; asking DJL's JNI for the grad_fn of
                // such a tensor dereferences null: a SIGSEGV seen with lora + gradient_checkpointing)
                if (adapters == null && recordsGraph(pass.inputs()[0])) {
                    JniUtils.backward((PtNDArray) pass.inputs()[0], (PtNDArray) grad, false, false);
                }
            } finally {
                pm.close();
            }
        }
    }

    /** Whether {@code x} is the output of recorded ops (DJL's requiresGradient() reports only leaves). */
    private static boolean recordsGraph(NDArray x) {
        String fn = JniUtils.getGradientFunctionNames((PtNDArray) x);
        return x.hasGradient() || (fn != null && !fn.isEmpty());
    }

    @Override
    public NDArray hiddenStates(NDArray inputIds, NDArray attentionMask) {
        long[] idShape = inputIds.getShape().getShape();
        int t = (int) idShape[1];
        NDArray mask = attentionMask != null ? attentionMask
                : inputIds.getManager().ones(new Shape(idShape[0], t), DataType.INT64);
        NDArray positions = mask.toType(DataType.INT64, false).cumSum(1).sub(1).maximum(0);
        return decodeHidden(inputIds, positions, additiveMask(mask, 0, t), null, 0, mask);
    }

    @Override
    public NDArray logits(NDArray hidden) {
        return Ops.linear(hidden, config.tieWordEmbeddings() ? p("model.embed_tokens.weight") : p("lm_head.weight"),
                null);
    }

    /** Causal plus padding mask as additive scores {@code [B, 1, T, P+T]}: 0 where allowed, {@link #MASKED}. */
    private NDArray additiveMask(NDArray mask, int past, int t) {
        int s = past + t;
        float[] causal = new float[t * s];
        for (int i = 0; i < t; i++) {
            for (int j = past + i + 1; j < s; j++) {
                causal[i * s + j] = MASKED;
            }
        }
        NDManager m = mask.getManager();
        NDArray pad = mask.toType(DataType.FLOAT32, false).sub(1).mul(-MASKED).reshape(-1, 1, 1, s);
        return pad.add(m.create(causal, new Shape(1, 1, t, s))).toType(dtype, false);
    }

    private NDArray groupedQueryAttention(String pre, int layer, NDArray x, NDArray[] cosSin, NDArray bias,
            TransformerCache cache, int past) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int d = config.headDim();
        int group = heads / kvHeads;
        NDArray q = project(pre + "q_proj", x).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
        NDArray k = project(pre + "k_proj", x).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        NDArray v = project(pre + "v_proj", x).reshape(b, t, kvHeads, d).transpose(0, 2, 1, 3);
        q = Scalars.mul(Rope.apply(q, cosSin[0], cosSin[1], ropeMatrices), attentionScale);
        k = Rope.apply(k, cosSin[0], cosSin[1], ropeMatrices);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, k, v, x.getManager());
            k = kv[0];
            v = kv[1];
        }
        long s = k.getShape().get(2);
        // heads h = g*group + r share kv head g (Hugging Face repeat_kv): fold r into the query axis
        NDArray scores = q.reshape(b, kvHeads, group * t, d).matMul(k.transpose(0, 1, 3, 2))
                .reshape(b, kvHeads, group, t, s).add(bias.expandDims(1));
        NDArray probs = scores.softmax(-1).reshape(b, kvHeads, group * t, s);
        NDArray out = probs.matMul(v).reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
        return project(pre + "o_proj", out);
    }

    /**
     * DeepSeek-V3 multi-head latent attention. The cache keeps the normalised kv latent and the roped shared key
     * part; keys and values are re-expanded through kv_b_proj over all cached positions at each step (simple and
     * exact; the weight-absorbed form would avoid that expansion for long decodes).
     */
    private NDArray latentAttention(String pre, int layer, NDArray x, NDArray[] cosSin, NDArray bias,
            TransformerCache cache, int past) {
        ModelConfig.DeepSeekV3 d = config.deepseek();
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int nope = d.qkNopeHeadDim();
        int ropeDim = d.qkRopeHeadDim();
        int lora = d.kvLoraRank();
        NDArray q = d.qLoraRank() == null
                ? project(pre + "q_proj", x)
                : project(pre + "q_b_proj", Ops.rmsNorm(project(pre + "q_a_proj", x),
                        p(pre + "q_a_layernorm.weight"), config.rmsNormEps()));
        q = Scalars.mul(q.reshape(b, t, heads, d.qkHeadDim()).transpose(0, 2, 1, 3), attentionScale);
        NDArray qNope = q.get(new NDIndex("..., :{}", nope));
        NDArray qRot = Rope.apply(q.get(new NDIndex("..., {}:", nope)), cosSin[0], cosSin[1], ropeMatrices);

        NDArray compressed = project(pre + "kv_a_proj_with_mqa", x);
        NDArray latent = Ops.rmsNorm(compressed.get(new NDIndex("..., :{}", lora)), p(pre + "kv_a_layernorm.weight"),
                config.rmsNormEps()).reshape(b, 1, t, lora);
        NDArray kRot = Rope.apply(compressed.get(new NDIndex("..., {}:", lora)).reshape(b, 1, t, ropeDim),
                cosSin[0], cosSin[1], ropeMatrices);
        if (cache != null) {
            NDArray[] kv = cache.append(layer, latent, kRot, x.getManager());
            latent = kv[0];
            kRot = kv[1];
        }
        long s = latent.getShape().get(2);
        NDArray kv = project(pre + "kv_b_proj", latent.reshape(b, s, lora))
                .reshape(b, s, heads, nope + d.vHeadDim()).transpose(0, 2, 1, 3);
        NDArray kNope = kv.get(new NDIndex("..., :{}", nope));
        NDArray value = kv.get(new NDIndex("..., {}:", nope));
        NDArray scores = qNope.matMul(kNope.transpose(0, 1, 3, 2))
                .add(qRot.matMul(kRot.transpose(0, 1, 3, 2))).add(bias);
        NDArray out = scores.softmax(-1).matMul(value).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d.vHeadDim());
        return project(pre + "o_proj", out);
    }

    private NDArray mlp(String pre, int layer, NDArray x, ExpertRouting.Tokens tokens) {
        if (config.isMoeLayer(layer)) {
            return Moe.forward(config.deepseek(), name -> p(pre + name), (module, in) -> project(pre + module, in), x,
                    layer, expertRouting, tokens);
        }
        return Ops.swiglu(x, this::project, pre);
    }

    /** The linear layer {@code module} (e.g. {@code model.layers.0.self_attn.q_proj}) applied to {@code x}. */
    private NDArray project(String module, NDArray x) {
        NDArray base = Ops.linear(x, p(module + ".weight"), opt(module + ".bias"));
        return adapters == null ? base : adapters.apply(module, x, base);
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) {
            throw new IllegalStateException("no parameter " + name);
        }
        return a;
    }

    private NDArray opt(String name) {
        return params.get(name);
    }

    /** Closes the parameters (and everything else in the model's manager); a view closes nothing. */
    @Override
    public void close() {
        if (!view) manager.close();
    }
}
