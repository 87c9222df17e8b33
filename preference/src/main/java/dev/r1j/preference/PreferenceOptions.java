package dev.r1j.preference;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.OptionRecords;

import dev.r1j.sft.TrainingOptions;

/**
 * Settings of {@link PreferenceTrainer}: the loss and the shared {@link TrainingOptions} (the one declaration of each
 * option; the {@code dpo} stage binds this record inline). Preference tuning wants a small learning rate, e.g. 5e-7
 * to 1e-6 for DPO on a real model.
 *
 * <pre>{@code
 * PreferenceOptions o = new PreferenceOptions(PreferenceLossType.SIGMOID, 0.1, 0.5,
 *         TrainingOptions.builder().epochs(1).batchSize(8).learningRate(1e-6).build());
 * }</pre>
 */
public record PreferenceOptions(
        @Help("sigmoid|dpo (Rafailov et al. 2023) | ipo (Azar et al. 2023) | simpo (Meng et al. 2024) | orpo (Hong et al. 2024)")
                @Default("sigmoid") PreferenceLossType lossType,
        @Help("DPO/IPO temperature of the implicit reward (DPO paper 0.1-0.5), SimPO's reward scale (2-2.5), ORPO's "
                + "lambda (0.1-0.25)") @Default("0.1") double beta,
        @Help("SimPO's target margin gamma (its paper: 0.5-1.5); ignored by the others") @Default("0.5") double gamma,
        @Help("steps, batch, optimizer and schedule (a given block starts from these defaults)")
                @Default("{epochs: 1, learning_rate: 1e-6}") TrainingOptions training) {
    public PreferenceOptions {
        if (training == null) throw new IllegalArgumentException("training options must be given");
        new PreferenceLoss(lossType, beta, gamma); // validates loss_type, beta and gamma in one place
    }

    /** DPO with beta 0.1, gamma 0.5 and {@link TrainingOptions#defaults()} but one epoch and learning rate 1e-6. */
    public static PreferenceOptions defaults() {
        return OptionRecords.defaults(PreferenceOptions.class);
    }

    public PreferenceLoss loss() {
        return new PreferenceLoss(lossType, beta, gamma);
    }
}
