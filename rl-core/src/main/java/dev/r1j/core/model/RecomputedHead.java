package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.r1j.core.Djl;
import dev.r1j.core.Scalars;
import java.util.function.UnaryOperator;

/**
 * Chosen-token log-probs whose LM head is recomputed, chunk by chunk, in the backward (what Liger's fused linear
 * cross-entropy does, here without a fused kernel): the autograd graph never holds a chunk's {@code [B, chunk, vocab]}
 * logits or log-softmax, only the final hidden states.
 *
 * <p>Forward: the selective log-softmax runs without autograd and its result becomes a leaf that requires a
 * gradient, so the loss's backward stops there. {@link #backward()} (run by the model's
 * {@link CausalLM#backward} after the loss's backward) then, per chunk of positions, recomputes the head with
 * autograd from a detached copy of the chunk's hidden states, backpropagates the gradient that arrived at the
 * chunk's log-probs (the head weight's gradient accumulates on the spot, the chunk's hidden-state gradient is
 * kept), and finally backpropagates the hidden-state gradients of all chunks through the trunk in one call.
 * The memory of the head's backward is one chunk's logits and their gradient at a time; the gradients are those of
 * the plain backward (the same ops, regrouped).
 *
 * <pre>{@code
 * model.setGradientCheckpointing(true);           // a Transformer then recomputes its head this way
 * try (GradientCollector gc = Djl.engine().newGradientCollector()) {
 *     NDArray lp = LogProbs.tokenLogProbs(model, ids, mask);   // a leaf; nothing of the head is in the graph
 *     model.backward(gc, lp.mul(coef).sum());                  // loss, then the head chunk by chunk, then the trunk
 * }
 * }</pre>
 */
final class RecomputedHead {
    private final UnaryOperator<NDArray> head;
    private final long vocab;
    private final NDArray positions;
    private final NDArray targets;
    private final double temperature;
    private final long chunkElements;
    private final NDArray leaf;

    private RecomputedHead(UnaryOperator<NDArray> head, long vocab, NDArray positions, NDArray targets,
            double temperature, long chunkElements, NDArray leaf) {
        this.head = head;
        this.vocab = vocab;
        this.positions = positions;
        this.targets = targets;
        this.temperature = temperature;
        this.chunkElements = chunkElements;
        this.leaf = leaf;
    }

    /**
     * The log-probs of {@code targets} at the hidden states {@code positions} ({@code [B, L, hidden]}, carrying
     * the trunk's graph) as a gradient-requiring leaf, and the step that finishes their backward, registered with
     * {@code model}. The caller must keep {@code positions} and {@code targets} open until the backward.
     */
    static LogProbs.TokenStats forward(CausalLM model, NDArray positions, NDArray targets, double temperature,
            boolean entropy, long chunkElements) {
        NDManager out = positions.getManager();
        LogProbs.TokenStats s = Djl.withoutGradients(() -> {
            NDArray detached = positions.stopGradient();
            detached.attach(out);
            try {
                return LogProbs.selective(model::logits, model.config().vocabSize(), detached, targets, temperature,
                        entropy, chunkElements);
            } finally {
                detached.close();
            }
        });
        // a copy of our own (not a view of the concatenation or gather) to be the leaf
        NDArray leaf = Djl.withoutGradients(() -> s.logProbs().duplicate());
        leaf.attach(out);
        s.logProbs().close();
        leaf.setRequiresGradient(true);
        model.deferBackward(new RecomputedHead(model::logits, model.config().vocabSize(), positions, targets,
                temperature, chunkElements, leaf)::backward);
        return new LogProbs.TokenStats(leaf, s.entropy());
    }

    /** The head's backward chunk by chunk, then the trunk's from the hidden states; nothing if no gradient came. */
    private void backward() {
        if (leaf.isReleased() || positions.isReleased() || !leaf.hasGradient()) return; // never backpropagated
        long b = positions.getShape().get(0);
        long len = positions.getShape().get(1);
        long chunk = LogProbs.chunkLength(b, len, vocab, chunkElements);
        try (NDManager pm = positions.getManager().newSubManager()) {
            NDArray grad = leaf.getGradient();
            grad.attach(pm);
            NDList hiddenGrads = new NDList();
            for (long s = 0; s < len; s += chunk) {
                long e = Math.min(len, s + chunk);
                try (NDManager cm = pm.newSubManager()) {
                    NDArray detached = positions.stopGradient();
                    detached.attach(cm);
                    NDIndex cols = new NDIndex(":, {}:{}, :", s, e);
                    NDArray part = Djl.withoutGradients(() -> detached.get(cols).duplicate());
                    part.attach(cm);
                    part.setRequiresGradient(true);
                    NDArray logits = head.apply(part);
                    if (temperature > 0 && temperature != 1) logits = Scalars.div(logits, temperature);
                    NDArray tgt = targets.get(new NDIndex(":, {}:{}", s, e)).expandDims(-1);
                    tgt.attach(cm);
                    NDArray chosen = logits.logSoftmax(-1).gather(tgt, 2).squeeze(2);
                    NDArray g = grad.get(new NDIndex(":, {}:{}", s, e)).duplicate();
                    g.attach(cm);
                    JniUtils.backward((PtNDArray) chosen, (PtNDArray) g, false, false);
                    NDArray hg = part.getGradient().duplicate(); // outlives the leaf's .grad, freed with cm
                    hg.attach(pm);
                    hiddenGrads.add(hg);
                }
            }
            NDArray all = hiddenGrads.size() == 1 ? hiddenGrads.get(0) : NDArrays.concat(hiddenGrads, 1);
            all.attach(pm);
            // positions always carry the trunk's graph under autograd (DJL's hasGradient() reports leaves only)
            JniUtils.backward((PtNDArray) positions, (PtNDArray) all, false, false);
        }
    }
}
