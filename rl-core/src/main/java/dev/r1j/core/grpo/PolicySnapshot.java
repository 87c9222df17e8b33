package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import dev.r1j.core.Djl;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.sampling.WeightSync;
import java.util.Map;

/**
 * The local {@link WeightSync} of {@code async_steps}: a second model of the policy's architecture that a local
 * sampler generates from, its weights overwritten with the policy's on each {@link #publish}. The trainer updates
 * the policy in place while the sampler reads the snapshot on another thread, so the two never share an array (the
 * model objects' own state, e.g. gradient-checkpointing buffers, is not shared either). Costs one more copy of the
 * weights in memory and one copy per step; the generation it overlaps costs far more.
 *
 * <pre>{@code
 * LoadedModel snapshot = Checkpoint.load(dir, manager);                  // the same weights as the policy
 * trainer.setWeightSync(new PolicySnapshot(snapshot.model()));
 * Sampler sampler = new LocalSampler(snapshot.model(), snapshot.tokenizer());
 * }</pre>
 */
public final class PolicySnapshot implements WeightSync {
    private final CausalLM snapshot;
    private volatile int version = -1;

    public PolicySnapshot(CausalLM snapshot) {
        this.snapshot = snapshot;
    }

    /** The model the sampler reads. */
    public CausalLM model() {
        return snapshot;
    }

    /** The version last published, -1 before the first. */
    public int version() {
        return version;
    }

    @Override
    public void publish(CausalLM policy, int version) {
        Map<String, NDArray> from = policy.parameters();
        Map<String, NDArray> to = snapshot.parameters();
        if (policy.trainableParameters().size() != from.size()) {
            throw new IllegalStateException("async_steps with LoRA adapters is not supported: the snapshot copies full "
                    + "weights, and the policy trains only its adapters");
        }
        if (!from.keySet().equals(to.keySet())) {
            throw new IllegalArgumentException("the snapshot model's parameters differ from the policy's: "
                    + to.keySet().size() + " vs " + from.keySet().size() + " names");
        }
        Djl.withoutGradients(() -> {
            for (Map.Entry<String, NDArray> e : from.entrySet()) {
                NDArray src = e.getValue(), dst = to.get(e.getKey());
                if (!src.getShape().equals(dst.getShape()) || src.getDataType() != dst.getDataType()) {
                    throw new IllegalArgumentException(e.getKey() + ": snapshot " + dst.getShape() + " "
                            + dst.getDataType() + " vs policy " + src.getShape() + " " + src.getDataType());
                }
                dst.set(src.toByteBuffer());
            }
            return null;
        });
        this.version = version;
    }
}
