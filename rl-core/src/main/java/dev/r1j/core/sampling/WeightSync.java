package dev.r1j.core.sampling;

import dev.r1j.core.model.CausalLM;

/**
 * Brings a {@link Sampler} the trainer's weights: a local snapshot model the sampler reads (rl-core's
 * {@code PolicySnapshot}) or inference servers told to load them. GRPO calls {@link #publish} on the trainer thread
 * with the start weights (the version of the steps done so far) before the first generation and after every
 * optimizer step, and never while a generation that reads the weights is running, so an implementation needs no
 * locking of its own.
 *
 * <pre>{@code
 * trainer.setWeightSync(new PolicySnapshot(snapshotModel));   // LocalSampler over snapshotModel
 * }</pre>
 */
public interface WeightSync {
    /** Makes {@code policy}'s current weights, those after {@code version} optimizer steps, the ones sampled from. */
    void publish(CausalLM policy, int version);
}
