package dev.r1j.preference;

/**
 * What one preference-tuning step measured (means over the step's pairs).
 *
 * @param step           1-based optimizer step
 * @param loss           the objective before the update
 * @param rewardMargin   mean of {@code chosenReward − rejectedReward}
 * @param chosenReward   mean implicit reward of the chosen completions (DPO/IPO: {@code β·(logπ − logπ_ref)};
 *                       SimPO/ORPO: {@code β·} mean token log-prob)
 * @param rejectedReward the same for the rejected completions
 * @param accuracy       share of pairs whose margin is positive
 * @param lr             learning rate used
 * @param gradNorm       global gradient norm before clipping
 * @param pairs          pairs in the step
 * @param epoch          epochs completed plus the fraction of the current one
 * @param elapsedS       training seconds so far (including before a resume)
 */
public record PreferenceStepMetrics(int step, double loss, double rewardMargin, double chosenReward,
                                    double rejectedReward, double accuracy, double lr, double gradNorm, int pairs,
                                    double epoch, double elapsedS) {}
