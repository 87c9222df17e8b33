package dev.r1j.preference;

import dev.r1j.sft.TrainingOptions;

/**
 * Settings of {@link PreferenceTrainer}.
 *
 * @param lossType {@code sigmoid} (DPO, default), {@code ipo}, {@code simpo} or {@code orpo}
 * @param beta     β: DPO/IPO temperature of the implicit reward (default 0.1; DPO paper 0.1–0.5), SimPO's reward
 *                 scale (its paper uses 2–2.5), ORPO's λ weight of the odds-ratio term (its paper uses 0.1–0.25)
 * @param gamma    SimPO's target margin γ (its paper uses 0.5–1.5); default 0.5, ignored by the other losses
 * @param training steps, batch size in pairs, optimizer and schedule (shared with SFT); preference tuning wants a
 *                 small learning rate, e.g. 5e-7 to 1e-6 for DPO on a real model
 *
 * <pre>{@code
 * PreferenceOptions o = new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5,
 *         TrainingOptions.builder().epochs(1).batchSize(8).learningRate(1e-6).build());
 * }</pre>
 */
public record PreferenceOptions(PreferenceLossType lossType, double beta, double gamma, TrainingOptions training) {
    public PreferenceOptions {
        if (training == null) throw new IllegalArgumentException("training options must be given");
        new PreferenceLoss(lossType, beta, gamma); // validates loss_type, beta and gamma in one place
    }

    /** DPO with β 0.1, γ 0.5 and {@link TrainingOptions#defaults()} but one epoch and learning rate 1e-6. */
    public static PreferenceOptions defaults() {
        return new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5,
                TrainingOptions.builder().epochs(1).learningRate(1e-6).build());
    }

    public PreferenceLoss loss() {
        return new PreferenceLoss(lossType, beta, gamma);
    }
}
