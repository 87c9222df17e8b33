package dev.r1j.verifiers.monitor;

/**
 * Thresholds of the {@link HackingMonitor}. The baseline of a step is the mean over the previous {@code window}
 * steps; no warning is raised before {@code minHistory} steps have been seen.
 *
 * <pre>{@code
 * MonitorConfig c = MonitorConfig.defaults();   // window 5, min history 3, length ×1.5, shares +0.10, reward +0.05 vs accuracy −0.02
 * }</pre>
 *
 * @param window            steps in the baseline
 * @param minHistory        steps needed before warnings start
 * @param lengthJumpRatio   warn when the mean length is at least this times the baseline (or at most its inverse)
 * @param shareSpread       warn when the empty or answer-only share exceeds its baseline by this much
 * @param rewardRise        a reward "rises" when its mean exceeds its baseline by this much
 * @param accuracyDrop      accuracy "falls" when it is below its baseline by this much
 */
public record MonitorConfig(int window, int minHistory, double lengthJumpRatio, double shareSpread, double rewardRise,
                            double accuracyDrop) {
    public MonitorConfig {
        if (window < 1 || minHistory < 1 || minHistory > window) {
            throw new IllegalArgumentException("monitor: need 1 <= min_history <= window, got window=" + window
                    + " min_history=" + minHistory);
        }
        if (!(lengthJumpRatio > 1) || !(shareSpread > 0) || !(rewardRise > 0) || !(accuracyDrop > 0)) {
            throw new IllegalArgumentException("monitor: length_jump_ratio must be > 1 and the deltas > 0");
        }
    }

    public static MonitorConfig defaults() {
        return new MonitorConfig(5, 3, 1.5, 0.10, 0.05, 0.02);
    }
}
