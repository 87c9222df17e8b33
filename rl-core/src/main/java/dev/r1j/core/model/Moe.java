package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import dev.r1j.core.Scalars;
import java.util.ArrayList;
import java.util.List;
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
 * differentiable, and the router gets its gradient through the weights. Expert choice itself is made in Java on
 * the router scores (it is not differentiable in any implementation).
 */
final class Moe {
    private Moe() {}

    /**
     * The MoE block for {@code x [B, T, hidden]}; {@code w} maps a name below {@code mlp.} (e.g.
     * {@code "gate.weight"}) to the layer's parameter; {@code proj} applies a named expert projection below
     * {@code mlp.} (e.g. {@code "experts.3.up_proj"}), with its adapter if it has one.
     */
    static NDArray forward(ModelConfig.DeepSeekV3 c, Function<String, NDArray> w, Ops.Projection proj, NDArray x) {
        long[] shape = x.getShape().getShape();
        int hidden = (int) shape[shape.length - 1];
        NDArray xf = x.reshape(-1, hidden);
        int n = (int) xf.getShape().get(0);
        int e = c.nRoutedExperts();
        int k = c.numExpertsPerTok();
        NDManager m = x.getManager();

        NDArray scores = Activation.sigmoid(Ops.linear(xf, w.apply("gate.weight"), null)); // [N, E]
        int[][] chosen = route(c, floats(scores), floats(w.apply("gate.e_score_correction_bias")), n);

        long[] flat = new long[n * k];
        List<List<Integer>> tokensOf = new ArrayList<>();
        for (int j = 0; j < e; j++) {
            tokensOf.add(new ArrayList<>());
        }
        for (int t = 0; t < n; t++) {
            for (int s = 0; s < k; s++) {
                flat[t * k + s] = chosen[t][s];
                tokensOf.get(chosen[t][s]).add(t * k + s);
            }
        }
        // index arrays are copied into PyTorch-owned memory (duplicate): autograd keeps them for the backward of the
        // gather/index_select, and an array made from a Java buffer is freed when its (layer-scoped) manager closes
        NDArray weights = scores.gather(m.create(flat).duplicate().reshape(n, k), 1);
        if (c.normTopkProb()) {
            weights = weights.div(weights.sum(new int[] {1}, true).add(1e-20));
        }
        weights = Scalars.mul(weights, c.routedScalingFactor());

        // run each expert on its tokens; remember where each (token, slot) output lands in the concatenation
        NDList outs = new NDList();
        long[] rowOf = new long[n * k];
        int row = 0;
        for (int j = 0; j < e; j++) {
            List<Integer> slots = tokensOf.get(j);
            if (slots.isEmpty()) {
                continue;
            }
            long[] tokens = new long[slots.size()];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = slots.get(i) / k;
                rowOf[slots.get(i)] = row++;
            }
            NDArray xe = xf.get(m.create(tokens).duplicate());
            outs.add(Ops.swiglu(xe, proj, "experts." + j + "."));
        }
        NDArray all = outs.size() == 1 ? outs.get(0) : NDArrays.concat(outs, 0);
        NDArray routed = all.get(m.create(rowOf).duplicate()).reshape(n, k, hidden).mul(weights.expandDims(-1)).sum(new int[] {1});
        NDArray y = routed;
        if (c.nSharedExperts() > 0) {
            y = y.add(Ops.swiglu(xf, proj, "shared_experts."));
        }
        return y.reshape(shape);
    }

    private static float[] floats(NDArray a) {
        return a.getDataType() == DataType.FLOAT32 ? a.toFloatArray() : a.toType(DataType.FLOAT32, false).toFloatArray();
    }

    /**
     * Group-limited top-k expert choice for {@code n} tokens from row-major sigmoid {@code scores [n, E]} and the
     * correction {@code bias [E]}; returns the chosen expert ids per token, best first. Ties go to the lower id.
     */
    static int[][] route(ModelConfig.DeepSeekV3 c, float[] scores, float[] bias, int n) {
        int e = c.nRoutedExperts();
        int groups = c.nGroup();
        int perGroup = e / groups;
        int[][] out = new int[n][];
        float[] choice = new float[e];
        float[] groupScore = new float[groups];
        for (int t = 0; t < n; t++) {
            for (int j = 0; j < e; j++) {
                choice[j] = scores[t * e + j] + bias[j];
            }
            for (int g = 0; g < groups; g++) {
                float best = Float.NEGATIVE_INFINITY;
                float second = Float.NEGATIVE_INFINITY;
                for (int j = g * perGroup; j < (g + 1) * perGroup; j++) {
                    if (choice[j] > best) {
                        second = best;
                        best = choice[j];
                    } else if (choice[j] > second) {
                        second = choice[j];
                    }
                }
                groupScore[g] = best + second;
            }
            int[] keptGroups = topK(groupScore, c.topkGroup());
            boolean[] keep = new boolean[groups];
            for (int g : keptGroups) {
                keep[g] = true;
            }
            for (int j = 0; j < e; j++) {
                if (!keep[j / perGroup]) {
                    choice[j] = 0f; // Hugging Face masks with 0.0, not -inf
                }
            }
            out[t] = topK(choice, c.numExpertsPerTok());
        }
        return out;
    }

    private static int[] topK(float[] v, int k) {
        int[] idx = new int[k];
        boolean[] used = new boolean[v.length];
        for (int s = 0; s < k; s++) {
            int best = -1;
            for (int j = 0; j < v.length; j++) {
                if (!used[j] && (best < 0 || v[j] > v[best])) {
                    best = j;
                }
            }
            used[best] = true;
            idx[s] = best;
        }
        return idx;
    }
}
