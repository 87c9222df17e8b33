package dev.r1j.core.grpo;

import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.RoutingReplay;

/**
 * How {@link GrpoTrainer} sets up routing replay on its policy: a mixture-of-experts policy always gets a
 * {@link RoutingReplay} (so the sampler/trainer mismatch is measured every step); {@code routing_replay} also
 * makes the trainer use the sampler's experts. A dense policy gets none, and {@code routing_replay} on it is one
 * error naming the key.
 */
final class MoeRouting {
    private MoeRouting() {}

    static RoutingReplay install(CausalLM policy, boolean replay) {
        if (!policy.hasExperts()) {
            if (replay) {
                throw new IllegalArgumentException("routing_replay: the policy (" + policy.config().modelType()
                        + ") has no mixture-of-experts layers; it fits deepseek_v3 models only (set routing_replay: false)");
            }
            return null;
        }
        if (policy.expertRouting() != null) {
            if (replay) {
                throw new IllegalStateException("routing_replay: the policy already has an expert-routing hook ("
                        + policy.expertRouting().getClass().getSimpleName() + ")");
            }
            return null;
        }
        RoutingReplay r = new RoutingReplay(policy.config());
        policy.setExpertRouting(r);
        return r;
    }

    static void uninstall(CausalLM policy, RoutingReplay routing) {
        if (routing != null && policy.expertRouting() == routing) policy.setExpertRouting(null);
    }
}
