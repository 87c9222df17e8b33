package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.util.Map;

/**
 * A decoder-only causal language model over DJL arrays, with Hugging Face parameter names.
 *
 * <p>Shapes: {@code inputIds} is int64 {@code [B, T]}; {@code attentionMask} is int64 (1 = real token, 0 = pad)
 * of shape {@code [B, P + T]} where {@code P} is the number of positions already in {@code cache} (0 without a
 * cache). Position ids are derived from the mask (cumulative sum minus one), so left-padded batches decode
 * correctly. Logits are float32 {@code [B, T, vocab]}.
 *
 * <pre>{@code
 * try (CausalLM model = Transformer.create(config, manager, seed)) {
 *     NDArray logits = model.forward(ids, mask, null);
 * }
 * }</pre>
 */
public interface CausalLM extends AutoCloseable {
    ModelConfig config();

    /** Forward pass; when {@code cache} is non-null, it is read and then extended by {@code T} positions. */
    NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache);

    /**
     * Forward over packed rows (several examples per row, no attention across them, positions restarting per
     * example), for training on packed batches. {@code segmentIds} is int64 {@code [B, T]}: equal positive ids mark
     * one example, 0 marks padding. Logits are {@code [B, T, vocab]}, each example's equal to its own forward.
     *
     * @throws UnsupportedOperationException for models that cannot mask attention per example
     */
    default NDArray forwardPacked(NDArray inputIds, NDArray segmentIds) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support packed sequences");
    }

    /**
     * Like {@link #forward} but only the last position's logits, {@code [B, vocab]}: what a sampler needs. Models
     * that can apply the LM head to the last position alone override it (at a 151,936-token vocabulary the head is
     * most of a prefill's work).
     */
    default NDArray forwardLast(NDArray inputIds, NDArray attentionMask, KVCache cache) {
        return forward(inputIds, attentionMask, cache).get(new ai.djl.ndarray.index.NDIndex(":, -1, :"));
    }

    /**
     * The final hidden states {@code [B, T, hidden]} (after the last norm, before the LM head) of a forward without
     * cache, or {@code null} when the model does not expose them; {@link #logits} turns any slice of them into
     * logits. {@link LogProbs} uses the pair to compute log-probs chunk by chunk without the full logits.
     */
    default NDArray hiddenStates(NDArray inputIds, NDArray attentionMask) {
        return null;
    }

    /** The LM head over hidden states {@code [B, L, hidden]}: logits {@code [B, L, vocab]}. */
    default NDArray logits(NDArray hidden) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not expose its LM head");
    }

    /**
     * Backpropagates {@code loss} into the trainable parameters' gradients. Models that recompute activations
     * (gradient checkpointing) finish their backward here, so trainers call this rather than
     * {@code collector.backward(loss)}.
     */
    default void backward(GradientCollector collector, NDArray loss) {
        collector.backward(loss);
    }

    /**
     * Whether {@link LogProbs} should compute the chosen-token log-probs of a pass under autograd without recording
     * the LM head, and register the head's chunk-by-chunk backward with {@link #deferBackward} instead (the logits
     * then never sit in the graph). Only a model whose {@link #backward} runs the deferred steps may say yes.
     */
    default boolean recomputesHeadInBackward() {
        return false;
    }

    /**
     * Registers a step that {@link #backward} runs after the loss's backward and before any recomputed layers'
     * (steps registered later run first). Only called when {@link #recomputesHeadInBackward} is true.
     */
    default void deferBackward(Runnable step) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not defer backward steps");
    }

    /**
     * The parameters a trainer updates: all of {@link #parameters()} for full fine-tuning; only the adapter weights
     * when the model carries LoRA adapters (the base weights then get no gradient and no optimizer state).
     */
    default Map<String, NDArray> trainableParameters() {
        return parameters();
    }

    /**
     * Frees the trainable parameters' gradients after an optimizer step instead of keeping zeroed buffers until the
     * next backward (PyTorch's {@code zero_grad(set_to_none=True)}); trainers call it through
     * {@code GradientStep.apply(model, ...)}. Parameters may be new arrays afterwards, so callers look them up through
     * {@link #parameters()} each time rather than keeping the arrays.
     *
     * <pre>{@code
     * GradientStep.apply(model, optimizer, lr, 1.0, step); // releases, or zeroes when this returns false
     * }</pre>
     *
     * @return whether the gradients were freed; false (the default): they are kept, and the caller zeroes them
     */
    default boolean releaseGradients() {
        return false;
    }

    /** Whether the model has mixture-of-experts layers (whose expert choice an {@link ExpertRouting} can see). */
    default boolean hasExperts() {
        return false;
    }

    /** Sets the hook of the MoE layers' expert choice ({@code null} for none); models without experts refuse one. */
    default void setExpertRouting(ExpertRouting routing) {
        if (routing != null) {
            throw new IllegalStateException(getClass().getSimpleName() + " has no mixture-of-experts layers");
        }
    }

    /** The hook set by {@link #setExpertRouting}, or null. */
    default ExpertRouting expertRouting() {
        return null;
    }

    /** An empty cache for {@code batch} sequences of at most {@code maxLength} positions. */
    KVCache newCache(int batch, int maxLength);

    /** Parameters by Hugging Face name, in a stable order; the arrays are the live weights. */
    Map<String, NDArray> parameters();

    /** The manager that owns the parameters. */
    NDManager manager();

    @Override
    void close();
}
