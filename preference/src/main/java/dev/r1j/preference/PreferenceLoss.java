package dev.r1j.preference;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.r1j.core.Scalars;

/**
 * The preference objectives over per-pair sequence log-probs, averaged over the pairs of a batch. Inputs are float32
 * {@code [N]}: the policy's summed log-probs of the chosen and rejected completion tokens (differentiable), the
 * reference model's (constants; unused by SimPO and ORPO) and the completions' token counts.
 *
 * <ul>
 *   <li>{@code sigmoid} (DPO): {@code z = β·((π_c − ref_c) − (π_r − ref_r))}, loss {@code −log σ(z)};
 *       rewards {@code β·(π − ref)}.</li>
 *   <li>{@code ipo}: {@code h = (π_c − ref_c) − (π_r − ref_r)}, loss {@code (h − 1/(2β))²} (the paper's sequence
 *       log-ratios; TRL length-normalises them instead); rewards {@code β·(π − ref)}.</li>
 *   <li>{@code simpo}: {@code z = β·π_c/|y_c| − β·π_r/|y_r| − γ}, loss {@code −log σ(z)}; rewards {@code β·π/|y|}.</li>
 *   <li>{@code orpo}: with mean token log-prob {@code a = π/|y|} and {@code log odds(y) = a − log(1 − e^a)}, loss
 *       {@code NLL_c − β·log σ(log odds_c − log odds_r)} where {@code NLL_c = −Σπ_c/Σ|y_c|} is the SFT loss of the
 *       chosen completions; rewards {@code β·a}.</li>
 * </ul>
 *
 * <pre>{@code
 * PreferenceLoss.Result r = new PreferenceLoss(PreferenceLossType.SIGMOID, 0.1, 0).compute(pc, pr, rc, rr, lc, lr);
 * gc.backward(r.loss());
 * }</pre>
 */
public final class PreferenceLoss {
    /** Mean log-probs are kept below this for ORPO's {@code log(1 − e^a)} (at 0 the odds are infinite). */
    static final float MAX_MEAN_LOGP = -1e-6f;

    private final PreferenceLossType type;
    private final double beta;
    private final double gamma;

    /** The scalar loss and each pair's implicit rewards (detached), float32 {@code [N]}. */
    public record Result(NDArray loss, NDArray chosenRewards, NDArray rejectedRewards) {}

    /**
     * @param beta  β (DPO/IPO/SimPO temperature, ORPO's λ weight of the odds-ratio term)
     * @param gamma SimPO's target reward margin γ; ignored by the others
     */
    public PreferenceLoss(PreferenceLossType type, double beta, double gamma) {
        if (type == null) throw new IllegalArgumentException("loss_type must be given");
        if (!(beta > 0) || Double.isInfinite(beta)) throw new IllegalArgumentException("beta must be > 0, got " + beta);
        if (!(gamma >= 0) || Double.isInfinite(gamma)) throw new IllegalArgumentException("gamma must be >= 0, got " + gamma);
        this.type = type;
        this.beta = beta;
        this.gamma = gamma;
    }

    public PreferenceLossType type() {
        return type;
    }

    /**
     * @param refChosen   reference log-probs, or null for reference-free losses
     * @param refRejected likewise
     */
    public Result compute(NDArray chosen, NDArray rejected, NDArray refChosen, NDArray refRejected,
            NDArray chosenTokens, NDArray rejectedTokens) {
        return compute(chosen, rejected, refChosen, refRejected, chosenTokens, rejectedTokens,
                chosen.getShape().get(0), chosenTokens.sum().getFloat());
    }

    /**
     * The loss of these pairs as a part of a larger batch (gradient accumulation): per-pair terms are summed and
     * divided by {@code totalPairs}, ORPO's chosen NLL by {@code totalChosenTokens}, so the parts' losses and
     * gradients add up to the whole batch's.
     */
    public Result compute(NDArray chosen, NDArray rejected, NDArray refChosen, NDArray refRejected,
            NDArray chosenTokens, NDArray rejectedTokens, long totalPairs, double totalChosenTokens) {
        if (type.needsReference() && (refChosen == null || refRejected == null)) {
            throw new IllegalArgumentException("loss_type " + type.wireName() + " needs reference log-probs");
        }
        float b = (float) beta;
        float n = totalPairs;
        return switch (type) {
            case SIGMOID -> {
                NDArray dc = chosen.sub(refChosen), dr = rejected.sub(refRejected);
                NDArray z = Scalars.mul(dc.sub(dr), b);
                yield new Result(Scalars.div(negLogSigmoid(z).sum(), n), rewards(dc, b), rewards(dr, b));
            }
            case IPO -> {
                NDArray dc = chosen.sub(refChosen), dr = rejected.sub(refRejected);
                NDArray h = dc.sub(dr).sub((float) (1 / (2 * beta)));
                yield new Result(Scalars.div(h.square().sum(), n), rewards(dc, b), rewards(dr, b));
            }
            case SIMPO -> {
                NDArray ac = chosen.div(chosenTokens), ar = rejected.div(rejectedTokens);
                NDArray z = Scalars.mul(ac.sub(ar), b).sub((float) gamma);
                yield new Result(Scalars.div(negLogSigmoid(z).sum(), n), rewards(ac, b), rewards(ar, b));
            }
            case ORPO -> {
                NDArray ac = chosen.div(chosenTokens), ar = rejected.div(rejectedTokens);
                NDArray logOdds = logOdds(ac).sub(logOdds(ar));
                NDArray nll = Scalars.div(chosen.sum().neg(), (float) totalChosenTokens);
                NDArray loss = nll.add(Scalars.mul(negLogSigmoid(logOdds).sum(), b / n));
                yield new Result(loss, rewards(ac, b), rewards(ar, b));
            }
        };
    }

    /** {@code −log σ(z) = softplus(−z)}, stable for large |z|. */
    private static NDArray negLogSigmoid(NDArray z) {
        return Activation.softPlus(z.neg());
    }

    /** {@code log(p / (1 − p))} for {@code log p = a}: {@code a − log(1 − e^a)}. */
    private static NDArray logOdds(NDArray a) {
        NDArray safe = Scalars.minimum(a, MAX_MEAN_LOGP);
        return safe.sub(safe.exp().neg().add(1f).log());
    }

    private static NDArray rewards(NDArray x, float beta) {
        return x.stopGradient().mul(beta);
    }
}
