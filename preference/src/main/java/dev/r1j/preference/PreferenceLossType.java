package dev.r1j.preference;

import dev.r1j.options.Alias;


/** Which preference objective {@link PreferenceLoss} computes ({@code loss_type} in recipes). */
public enum PreferenceLossType {
    /** DPO, Rafailov et al. 2023: {@code -log σ(β·((π_c − ref_c) − (π_r − ref_r)))} over sequence log-probs. */
    @Alias("dpo")
    SIGMOID("sigmoid", true),
    /** IPO, Azar et al. 2023: {@code (((π_c − ref_c) − (π_r − ref_r)) − 1/(2β))²}. */
    IPO("ipo", true),
    /** SimPO, Meng et al. 2024: reference-free, {@code -log σ(β·π_c/|y_c| − β·π_r/|y_r| − γ)}. */
    SIMPO("simpo", false),
    /** ORPO, Hong et al. 2024: reference-free, chosen NLL {@code − β·log σ(log odds(y_c) − log odds(y_r))}. */
    ORPO("orpo", false);

    private final String wireName;
    private final boolean needsReference;

    PreferenceLossType(String wireName, boolean needsReference) {
        this.wireName = wireName;
        this.needsReference = needsReference;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether the loss compares with a frozen reference model's log-probs. */
    public boolean needsReference() {
        return needsReference;
    }

}
