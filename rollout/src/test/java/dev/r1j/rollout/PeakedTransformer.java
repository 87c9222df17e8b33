package dev.r1j.rollout;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real {@link Transformer} for sampler tests, with its linear weights scaled up from the N(0, 0.02) init so that
 * next-token distributions are peaked (logits spread over a few units, as in a trained model) rather than nearly
 * uniform: a wrong position, row or cache entry then changes tokens and log-probs visibly.
 */
final class PeakedTransformer {
    private PeakedTransformer() {}

    static Transformer create(ModelConfig config, NDManager manager, long seed, float scale) {
        try (Transformer init = Transformer.create(config, manager, seed)) {
            Map<String, NDArray> scaled = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : init.parameters().entrySet()) {
                NDArray p = e.getValue();
                scaled.put(e.getKey(), e.getKey().endsWith("norm.weight") ? p.duplicate() : p.mul(scale));
            }
            return Transformer.fromParameters(config, manager, scaled);
        }
    }

    /** Full-forward logits {@code [T, vocab]} of one unpadded sequence, as a flat array. */
    static float[] fullForward(Transformer model, int[] ids) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] l = new long[ids.length];
            for (int i = 0; i < ids.length; i++) l[i] = ids[i];
            NDArray out = model.forward(m.create(l, new Shape(1, ids.length)),
                    m.ones(new Shape(1, ids.length), DataType.INT64), null);
            out.attach(m);
            return out.toFloatArray();
        }
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
