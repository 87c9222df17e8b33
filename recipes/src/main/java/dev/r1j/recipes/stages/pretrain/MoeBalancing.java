package dev.r1j.recipes.stages.pretrain;

import ai.djl.ndarray.NDArray;
import dev.r1j.core.model.ExpertLoadBalancer;
import dev.r1j.core.model.Transformer;
import dev.r1j.sft.LmTrainer;
import java.util.Map;

/**
 * The pretrain stage's load balancing: for a model with MoE layers, rl-core's {@link ExpertLoadBalancer} (V3's
 * bias updates and sequence-wise balance loss) as the trainer's step hook, its per-layer load metrics kept for the
 * step's metrics row; for a dense model, nothing.
 */
final class MoeBalancing implements LmTrainer.StepHook, AutoCloseable {
    private final ExpertLoadBalancer balancer;
    private Map<String, Double> last = Map.of();

    private MoeBalancing(ExpertLoadBalancer balancer) {
        this.balancer = balancer;
    }

    static MoeBalancing of(Transformer model, PretrainOptions options) {
        if (!model.hasExperts()) return new MoeBalancing(null);
        ExpertLoadBalancer b = new ExpertLoadBalancer(model, options.biasUpdateSpeed(), options.seqAuxAlpha());
        model.setExpertRouting(b);
        return new MoeBalancing(b);
    }

    @Override
    public NDArray extraLoss() {
        return balancer == null ? null : balancer.auxLoss();
    }

    @Override
    public void afterStep() {
        if (balancer != null) last = balancer.afterStep();
    }

    /** The last step's {@code moe/...} metrics (empty for a dense model). */
    Map<String, Double> lastMetrics() {
        return last;
    }

    @Override
    public void close() {
        if (balancer != null) balancer.close();
    }
}
