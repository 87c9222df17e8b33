package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import dev.r1j.core.Scalars;
import java.util.function.Function;

/**
 * DeepSeek-V3's mixture of experts, as Hugging Face's {@code DeepseekV3MoE}: sigmoid router scores; experts
 * chosen by {@code scores + e_score_correction_bias} with group-limited top-k (keep the {@code topk_group}
 * groups whose two best choice scores sum highest, others masked to 0, then top {@code num_experts_per_tok});
 * weights are the plain sigmoid scores at the chosen experts, normalised if {@code norm_topk_prob}, times
 * {@code routed_scaling_factor}; plus the shared experts on every token.
 *
 * <p>Compute is sparse: the tokens routed to each expert are gathered (index_select), run through that expert
 * only, and the outputs are put back in (token, slot) order by one more gather; both gathers are
 * differentiable, and the router gets its gradient through the weights. Expert choice itself is made on the
 * router scores without a graph (it is not differentiable in any implementation).
 */
final class Moe {
    private Moe() {}

    /** {@link #forward(ModelConfig.DeepSeekV3, Function, Ops.Projection, NDArray, int, ExpertRouting, ExpertRouting.Tokens)} without a routing hook. */
    static NDArray forward(ModelConfig.DeepSeekV3 c, Function<String, NDArray> w, Ops.Projection proj, NDArray x) {
        return forward(c, w, proj, x, -1, null, null);
    }

    /**
     * The MoE block for {@code x [B, T, hidden]}; {@code w} maps a name below {@code mlp.} (e.g.
     * {@code "gate.weight"}) to the layer's parameter; {@code proj} applies a named expert projection below
     * {@code mlp.} (e.g. {@code "experts.3.up_proj"}), with its adapter if it has one. {@code hook} (nullable) sees
     * and may replace the router's choice of decoder layer {@code layer}; {@code tokens} describes the rows for it.
     *
     * <p>All per-token work is tensor ops: group-limited top-k on the scores, one sort of the (token, slot) pairs by
     * expert, one gather of the tokens in that order, one slice and SwiGLU per expert that got tokens, and one
     * gather back. Java sees only the per-expert counts (and the choice itself when a hook asks for it).
     */
    static NDArray forward(ModelConfig.DeepSeekV3 c, Function<String, NDArray> w, Ops.Projection proj, NDArray x,
            int layer, ExpertRouting hook, ExpertRouting.Tokens tokens) {
        long[] shape = x.getShape().getShape();
        int hidden = (int) shape[shape.length - 1];
        NDArray xf = x.reshape(-1, hidden);
        int n = (int) xf.getShape().get(0);
        int e = c.nRoutedExperts();
        int k = c.numExpertsPerTok();
        NDManager m = x.getManager();

        NDArray scores = Activation.sigmoid(Ops.linear(xf, w.apply("gate.weight"), null)); // [N, E]
        NDArray chosen = route(c, scores, w.apply("gate.e_score_correction_bias")); // [N, k] int64
        if (hook != null) {
            long[] used = hook.route(layer, chosen.toLongArray(), tokens);
            if (used.length != n * k) {
                throw new IllegalStateException("expert routing hook returned " + used.length + " expert ids for "
                        + n + " tokens x " + k + " experts");
            }
            // copied into PyTorch-owned memory: autograd keeps index arrays for backward, and an array made from a
            // Java buffer is freed when its (layer-scoped) manager closes
            chosen = m.create(used, new Shape(n, k)).duplicate();
            if (hook.wantsScores()) {
                hook.scores(layer, scores.reshape(shape[0], shape[1], e), used, tokens);
            }
        }
        NDArray weights = scores.gather(chosen, 1);
        if (c.normTopkProb()) {
            weights = weights.div(weights.sum(new int[] {1}, true).add(1e-20));
        }
        weights = Scalars.mul(weights, c.routedScalingFactor());

        // (token, slot) pairs sorted by expert: each expert's tokens are one contiguous block
        NDArray flat = chosen.reshape(-1);
        NDArray order = flat.argSort(0, true);
        NDArray tokenOfSlot = m.arange(0, n, 1, DataType.INT64).reshape(n, 1).broadcast(new Shape(n, k)).reshape(-1);
        NDArray sortedInputs = xf.get(tokenOfSlot.get(order));
        float[] counts = flat.oneHot(e, DataType.FLOAT32).sum(new int[] {0}).toFloatArray();
        NDList outs = new NDList();
        long start = 0;
        for (int j = 0; j < e; j++) {
            long count = (long) counts[j];
            if (count == 0) {
                continue;
            }
            NDArray xe = sortedInputs.get(new NDIndex("{}:{}", start, start + count));
            outs.add(Ops.swiglu(xe, proj, "experts." + j + "."));
            start += count;
        }
        NDArray sortedOutputs = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 0);
        NDArray routed = sortedOutputs.get(order.argSort(0, true)).reshape(n, k, hidden)
                .mul(weights.expandDims(-1)).sum(new int[] {1});
        NDArray y = routed;
        if (c.nSharedExperts() > 0) {
            y = y.add(Ops.swiglu(xf, proj, "shared_experts."));
        }
        return y.reshape(shape);
    }

    /**
     * Group-limited top-k expert choice ({@code noaux_tc}) as tensor ops, from sigmoid {@code scores [N, E]} and the
     * correction {@code bias [E]}: choice scores {@code scores + bias}; each group scored by the sum of its two best;
     * the {@code topk_group} best groups kept, the others' choice scores set to 0 (as Hugging Face's masked_fill);
     * the top {@code num_experts_per_tok}. Returns int64 {@code [N, k]}, best first; no graph.
     */
    static NDArray route(ModelConfig.DeepSeekV3 c, NDArray scores, NDArray bias) {
        int n = (int) scores.getShape().get(0);
        int e = c.nRoutedExperts();
        int groups = c.nGroup();
        NDArray choice = scores.stopGradient().add(bias.stopGradient().reshape(1, e));
        if (c.topkGroup() < groups) {
            NDArray grouped = choice.reshape(n, groups, e / groups);
            NDArray groupScore = grouped.topK(2, -1, true, false).get(0).sum(new int[] {-1}); // [N, G]
            NDArray keptGroups = groupScore.topK(c.topkGroup(), -1, true, false).get(1); // [N, topk_group]
            NDArray keep = keptGroups.oneHot(groups, choice.getDataType()).sum(new int[] {1}); // [N, G] of 0/1
            choice = grouped.mul(keep.reshape(n, groups, 1)).reshape(n, e);
        }
        return choice.topK(c.numExpertsPerTok(), -1, true, true).get(1).toType(DataType.INT64, false);
    }
}
