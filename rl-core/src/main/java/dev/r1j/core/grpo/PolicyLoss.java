package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Scalars;

/**
 * The GRPO policy loss over token tensors (DeepSeekMath, Shao et al. 2024, with DAPO's decoupled clip range).
 *
 * <p>Per token, with {@code ratio = exp(new - old)}:
 * {@code -min(ratio*A, clip(ratio, 1-clip.low, 1+clip.high)*A) + beta * (exp(ref-new) - (ref-new) - 1)}, the last term
 * being Schulman's k3 estimator of KL(policy || reference). Tokens outside the completion mask do not count; the
 * masked sum is aggregated by {@link LossType}. Gradient flows only through {@code newLogProbs}.
 *
 * <p>Variants ({@link Variants}): the ratio taken per sequence ({@link ImportanceSamplingLevel#SEQUENCE}, GSPO), the
 * KL estimated by k1 or k2 instead of k3 ({@link KlEstimator}), and dual-clip PPO, which bounds the loss of a token
 * with a negative advantage by {@code c * |A|} (Ye et al. 2020), and training only the highest-entropy share of tokens
 * (Wang et al. 2025, "80/20": the policy term of the other tokens is zeroed; the KL term and the normaliser still
 * count every token, as in TRL).
 *
 * <p>The loss graph's intermediates are owned by {@code newLogProbs}' manager: call this inside a per-step
 * sub-manager. The statistics are computed in a sub-manager of their own and freed at once.
 *
 * <pre>{@code
 * PolicyLoss pl = new PolicyLoss(LossType.DAPO, new Clip(0.2, 0.28), 0.0, 64);
 * PolicyLoss.Result r = pl.compute(newLp, oldLp, null, advantages, mask, null, null);
 * collector.backward(r.loss());
 * }</pre>
 */
public final class PolicyLoss {
    private final LossType type;
    private final Clip clip;
    private final double beta;
    private final int maxCompletionLength;
    private final Variants variants;

    /**
     * The variants of the objective beyond GRPO's; {@link #NONE} is the plain per-token, k3, single-clip loss.
     *
     * @param importanceSamplingLevel per-token ratio or GSPO's per-sequence one
     * @param klEstimator how the KL to the reference is estimated per token
     * @param dualClip the bound {@code c > 1} of dual-clip PPO on negative-advantage tokens, or 0 for none
     * @param topEntropyQuantile the share in (0, 1] of each batch's counted tokens, highest entropy first, whose
     *     policy term is trained (Wang et al. 2025); 1 trains all
     */
    public record Variants(ImportanceSamplingLevel importanceSamplingLevel, KlEstimator klEstimator, double dualClip,
            double topEntropyQuantile) {
        public static final Variants NONE = new Variants(ImportanceSamplingLevel.TOKEN, KlEstimator.K3, 0);

        /** Variants that train on every token. */
        public Variants(ImportanceSamplingLevel importanceSamplingLevel, KlEstimator klEstimator, double dualClip) {
            this(importanceSamplingLevel, klEstimator, dualClip, 1.0);
        }

        public Variants {
            if (importanceSamplingLevel == null) {
                throw new IllegalArgumentException("importance_sampling_level must be given");
            }
            if (klEstimator == null) throw new IllegalArgumentException("kl_estimator must be given");
            if (!(dualClip == 0 || dualClip > 1) || Double.isInfinite(dualClip)) {
                throw new IllegalArgumentException("dual_clip must be 0 (off) or a finite c > 1, got " + dualClip);
            }
            if (!(topEntropyQuantile > 0 && topEntropyQuantile <= 1)) {
                throw new IllegalArgumentException("top_entropy_quantile must be in (0, 1], got " + topEntropyQuantile);
            }
        }
    }

    /** The loss (a float32 scalar, differentiable) and its statistics. */
    public record Result(NDArray loss, LossStats stats) {}

    public PolicyLoss(LossType type, Clip clip, double beta, int maxCompletionLength) {
        this(type, clip, beta, maxCompletionLength, Variants.NONE);
    }

    public PolicyLoss(LossType type, Clip clip, double beta, int maxCompletionLength, Variants variants) {
        if (variants == null) throw new IllegalArgumentException("variants must be given");
        if (type == null) throw new IllegalArgumentException("loss_type must be given");
        if (clip == null) throw new IllegalArgumentException("clip must be given");
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("beta must be finite and >= 0, got " + beta);
        }
        if (maxCompletionLength < 1) {
            throw new IllegalArgumentException("max_completion_length must be >= 1, got " + maxCompletionLength);
        }
        this.type = type;
        this.clip = clip;
        this.beta = beta;
        this.maxCompletionLength = maxCompletionLength;
        this.variants = variants;
    }

    /** The loss of {@code config}'s objective. */
    public static PolicyLoss of(GrpoConfig config) {
        // with kl_in_reward the KL is in the advantages: the loss keeps it only as a statistic (beta 0)
        return new PolicyLoss(config.lossType(), config.clip(), config.klInReward() ? 0 : config.beta(),
                config.maxNewTokens(),
                new Variants(config.importanceSamplingLevel(), config.klEstimator(), config.dualClip(),
                        config.topEntropyQuantile()));
    }

    public LossType type() {
        return type;
    }

    /**
     * Computes the loss.
     *
     * @param newLogProbs float32 {@code [B, T]}, the current policy's log-probs of the sampled tokens (differentiable)
     * @param oldLogProbs float32 {@code [B, T]} from the sampling policy, or {@code null} to use {@code newLogProbs}
     *     detached (the first of the {@code num_iterations} updates, where the ratio is exactly 1)
     * @param refLogProbs float32 {@code [B, T]} of the frozen reference, or {@code null}; required when beta > 0
     * @param advantages float32 {@code [B]}
     * @param mask {@code [B, T]}, 1 for completion tokens that count (any numeric or boolean type)
     * @param entropy optional {@code [B, T]} per-token entropy, only for the statistics
     * @param normalizer whole-batch counts for gradient accumulation, or {@code null} to use this batch's own
     */
    public Result compute(NDArray newLogProbs, NDArray oldLogProbs, NDArray refLogProbs, NDArray advantages,
            NDArray mask, NDArray entropy, LossNormalizer normalizer) {
        return compute(newLogProbs, oldLogProbs, refLogProbs, advantages, mask, entropy, normalizer, null);
    }

    /**
     * {@link #compute} with the policy term of each token multiplied by {@code correctionWeights} (float32
     * {@code [B, T]} constants, e.g. {@link RolloutCorrection#weights}; {@code null} for none). The KL term is not
     * weighted.
     */
    public Result compute(NDArray newLogProbs, NDArray oldLogProbs, NDArray refLogProbs, NDArray advantages,
            NDArray mask, NDArray entropy, LossNormalizer normalizer, NDArray correctionWeights) {
        Shape shape = newLogProbs.getShape();
        if (shape.dimension() != 2) {
            throw new IllegalArgumentException("new log-probs must be [B, T], got " + shape);
        }
        long b = shape.get(0);
        checkShape("old log-probs", oldLogProbs, shape);
        checkShape("reference log-probs", refLogProbs, shape);
        checkShape("mask", mask, shape);
        checkShape("entropy", entropy, shape);
        checkShape("correction weights", correctionWeights, shape);
        if (advantages.getShape().dimension() != 1 || advantages.getShape().get(0) != b) {
            throw new IllegalArgumentException("advantages must be [" + b + "], got " + advantages.getShape());
        }
        if (beta > 0 && refLogProbs == null) {
            throw new IllegalArgumentException("beta = " + beta + " > 0 needs reference log-probs");
        }
        NDArray maskF = mask.toType(DataType.FLOAT32, true);
        // Mask by selection, not multiplication (as veRL): positions outside the mask are replaced by 0 before any
        // arithmetic, so an inf or NaN there (e.g. the log-prob of a padding token) can reach neither the loss nor,
        // through 0 * inf in the backward, the gradient.
        NDArray keep = mask.toType(DataType.BOOLEAN, false);
        NDArray zeros = newLogProbs.zerosLike();
        NDArray current = NDArrays.where(keep, newLogProbs, zeros);
        NDArray old = oldLogProbs == null ? current.stopGradient() : NDArrays.where(keep, oldLogProbs, zeros);
        NDArray refLp = refLogProbs == null ? null : NDArrays.where(keep, refLogProbs, zeros);
        NDArray adv = advantages.toType(DataType.FLOAT32, true).reshape(b, 1);

        NDArray ratio = ratio(current, old, maskF);
        NDArray unclipped = ratio.mul(adv);
        NDArray clipped = Scalars.clip(ratio, 1 - clip.low(), 1 + clip.high()).mul(adv);
        // On the clipped side min() picks the constant branch, so those tokens get exactly zero gradient.
        NDArray perToken = type == LossType.CISPO
                ? cispo(ratio, current, adv)
                : dualClip(NDArrays.minimum(unclipped, clipped).neg(), adv);
        if (variants.topEntropyQuantile() < 1) perToken = perToken.mul(highEntropy(entropy, maskF));
        if (correctionWeights != null) perToken = perToken.mul(NDArrays.where(keep, correctionWeights, zeros));
        NDArray kl = null;
        if (refLp != null) {
            NDArray d = refLp.sub(current);
            kl = variants.klEstimator().of(d);
            if (beta > 0) perToken = perToken.add(Scalars.mul(kl, beta));
        }
        NDArray masked = NDArrays.where(keep, perToken, zeros);

        LossNormalizer norm = normalizer != null
                ? normalizer
                : new LossNormalizer(maskF.sum().getFloat(), (int) b);
        NDArray loss = switch (type) {
            case GRPO -> Scalars.div(masked.sum(new int[] {1})
                    .div(Scalars.maximum(maskF.sum(new int[] {1}), 1f))
                    .sum(), (float) norm.sequences());
            case DAPO, CISPO -> Scalars.div(masked.sum(), (float) Math.max(norm.tokens(), 1.0));
            case DR_GRPO -> Scalars.div(masked.sum(), (float) norm.sequences() * maxCompletionLength);
            case BNPO -> masked.sum().div(Scalars.maximum(maskF.sum(), 1f));
        };
        return new Result(loss, stats(ratio, adv, maskF, kl, entropy));
    }

    /**
     * {@code exp(new - old)} per token; under GSPO the exponent is the sequence's mean over its counted tokens,
     * broadcast to every token of the sequence so that clipping and aggregation act on the whole sequence.
     */
    private NDArray ratio(NDArray newLogProbs, NDArray old, NDArray maskF) {
        NDArray logRatio = newLogProbs.sub(old);
        if (variants.importanceSamplingLevel() == ImportanceSamplingLevel.TOKEN) return logRatio.exp();
        NDArray perSequence = logRatio.mul(maskF).sum(new int[] {1}, true)
                .div(maskF.sum(new int[] {1}, true).maximum(1f));
        return perSequence.exp().broadcast(newLogProbs.getShape());
    }

    /** CISPO's term: the clipped importance weight as a constant times {@code -A * log pi} (MiniMax-M1, 2025). */
    private NDArray cispo(NDArray ratio, NDArray newLogProbs, NDArray adv) {
        NDArray weight = ratio.stopGradient().minimum(1 + clip.high());
        return weight.mul(adv).mul(newLogProbs).neg();
    }

    /** Dual-clip PPO: a token with A < 0 loses at most {@code c * |A|}, whatever its ratio (0 gradient beyond). */
    private NDArray dualClip(NDArray perToken, NDArray adv) {
        if (variants.dualClip() == 0) return perToken;
        NDArray negative = adv.lt(0).toType(DataType.FLOAT32, false);
        NDArray bounded = NDArrays.minimum(perToken, adv.mul((float) -variants.dualClip()));
        return bounded.mul(negative).add(perToken.mul(negative.neg().add(1f)));
    }

    /**
     * 1 for the counted tokens whose entropy is at least the {@code 1 - top_entropy_quantile} quantile of this
     * batch's counted tokens (linear interpolation, as torch.quantile and TRL), else 0; a constant.
     */
    private NDArray highEntropy(NDArray entropy, NDArray maskF) {
        if (entropy == null) throw new IllegalArgumentException("top_entropy_quantile < 1 needs the entropy");
        float[] e = entropy.toType(DataType.FLOAT32, false).toFloatArray();
        float[] m = maskF.toFloatArray();
        double[] counted = new double[e.length];
        int n = 0;
        for (int i = 0; i < e.length; i++) if (m[i] > 0) counted[n++] = e[i];
        if (n == 0) return maskF.zerosLike();
        double[] sorted = java.util.Arrays.copyOf(counted, n);
        java.util.Arrays.sort(sorted);
        double pos = (1 - variants.topEntropyQuantile()) * (n - 1);
        int lo = (int) Math.floor(pos);
        double threshold = lo + 1 < n ? sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
        float[] keep = new float[e.length];
        for (int i = 0; i < e.length; i++) keep[i] = m[i] > 0 && e[i] >= threshold ? 1f : 0f;
        return maskF.getManager().create(keep, maskF.getShape());
    }

    private LossStats stats(NDArray ratio, NDArray adv, NDArray mask, NDArray kl, NDArray entropy) {
        try (NDManager sm = ratio.getManager().newSubManager()) {
            NDArray r = detachTo(ratio, sm);
            NDArray a = detachTo(adv, sm);
            NDArray m = detachTo(mask, sm);
            double tokens = m.sum().getFloat();
            if (tokens == 0) return new LossStats(0, 0, 0, Double.NaN, Double.NaN, Double.NaN);
            NDArray low = r.lt(1 - clip.low()).logicalAnd(a.lt(0)).toType(DataType.FLOAT32, false);
            NDArray high = r.gt(1 + clip.high()).logicalAnd(a.gt(0)).toType(DataType.FLOAT32, false);
            double klMean = kl == null ? Double.NaN : maskedMean(detachTo(kl, sm), m, tokens);
            double entMean = entropy == null ? Double.NaN : maskedMean(detachTo(entropy, sm), m, tokens);
            return new LossStats(tokens, maskedMean(low, m, tokens), maskedMean(high, m, tokens), klMean,
                    maskedMean(r, m, tokens), entMean);
        }
    }

    private static double maskedMean(NDArray x, NDArray mask, double tokens) {
        NDArray f = x.toType(DataType.FLOAT32, false);
        return NDArrays.where(mask.toType(DataType.BOOLEAN, false), f, f.zerosLike()).sum().getFloat() / tokens;
    }

    private static NDArray detachTo(NDArray x, NDManager sm) {
        NDArray d = x.stopGradient();
        d.attach(sm);
        return d;
    }

    private static void checkShape(String what, NDArray x, Shape expected) {
        if (x != null && !x.getShape().equals(expected)) {
            throw new IllegalArgumentException(what + " must have shape " + expected + ", got " + x.getShape());
        }
    }
}
