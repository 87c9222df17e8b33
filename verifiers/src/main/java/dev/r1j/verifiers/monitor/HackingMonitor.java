package dev.r1j.verifiers.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Watches per-step statistics for signs of reward hacking or collapse and says so, with the numbers, once per step:
 * <ul>
 *   <li>{@code length_jump} / {@code length_collapse}: the mean completion length is ≥ {@code lengthJumpRatio} times
 *       its baseline, or ≤ its inverse (a policy padding its chain of thought, or giving up on reasoning);</li>
 *   <li>{@code empty_spread} / {@code answer_only_spread}: the share of empty or answer-only completions
 *       ({@link CompletionShape}) rose by ≥ {@code shareSpread} over its baseline;</li>
 *   <li>{@code reward_accuracy_divergence}: some reward rose by ≥ {@code rewardRise} while accuracy fell by
 *       ≥ {@code accuracyDrop}: the policy is learning to please that reward, not to solve the task.</li>
 * </ul>
 * The baseline is the mean of the previous {@code window} steps ({@link MonitorConfig}). Each report also carries the
 * numbers behind the rules under {@code monitor/…} keys, for {@code metrics.jsonl}. Not thread-safe: one monitor per
 * training run, fed in step order.
 *
 * <pre>{@code
 * HackingMonitor m = new HackingMonitor(MonitorConfig.defaults());
 * MonitorReport r = m.observe(StepStats.of(step, completions, lengths, accuracy, rewardMeans));
 * r.warnings().forEach(w -> log.warn(w.message()));
 * metrics.putAll(r.metrics());
 * }</pre>
 */
public final class HackingMonitor {
    /** One warning: a stable {@code kind} for filtering and a message with the numbers. */
    public record Warning(String kind, String message) {}

    /** The outcome of one step. */
    public record MonitorReport(int step, List<Warning> warnings, Map<String, Double> metrics) {
        public MonitorReport {
            warnings = List.copyOf(warnings);
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    private final MonitorConfig config;
    private final Deque<StepStats> history = new ArrayDeque<>();

    public HackingMonitor(MonitorConfig config) {
        this.config = config;
    }

    public MonitorReport observe(StepStats s) {
        List<Warning> warnings = new ArrayList<>();
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("monitor/empty_share", s.emptyShare());
        metrics.put("monitor/answer_only_share", s.answerOnlyShare());
        if (!history.isEmpty()) {
            double len = mean(h -> h.completionLenMean());
            double empty = mean(StepStats::emptyShare);
            double answerOnly = mean(StepStats::answerOnlyShare);
            double accuracy = mean(StepStats::accuracy);
            double ratio = len > 0 ? s.completionLenMean() / len : Double.NaN;
            double accDelta = s.accuracy() - accuracy;
            if (!Double.isNaN(ratio)) {
                metrics.put("monitor/len_ratio", ratio);
            }
            metrics.put("monitor/empty_share_delta", s.emptyShare() - empty);
            metrics.put("monitor/answer_only_share_delta", s.answerOnlyShare() - answerOnly);
            metrics.put("monitor/accuracy_delta", accDelta);
            Map<String, Double> rewardDeltas = new LinkedHashMap<>();
            for (Map.Entry<String, Double> e : s.rewardMeans().entrySet()) {
                String name = e.getKey();
                if (history.stream().allMatch(h -> h.rewardMeans().containsKey(name))) {
                    double d = e.getValue() - mean(h -> h.rewardMeans().get(name));
                    rewardDeltas.put(name, d);
                    metrics.put("monitor/reward_delta/" + name, d);
                }
            }
            if (history.size() >= config.minHistory()) {
                if (ratio >= config.lengthJumpRatio()) {
                    warnings.add(new Warning("length_jump", String.format(Locale.ROOT,
                            "step %d: mean completion length %.1f is %.2fx the mean of the last %d steps (%.1f)",
                            s.step(), s.completionLenMean(), ratio, history.size(), len)));
                } else if (ratio <= 1 / config.lengthJumpRatio()) {
                    warnings.add(new Warning("length_collapse", String.format(Locale.ROOT,
                            "step %d: mean completion length %.1f fell to %.2fx the mean of the last %d steps (%.1f)",
                            s.step(), s.completionLenMean(), ratio, history.size(), len)));
                }
                spread(warnings, s.step(), "empty", s.emptyShare(), empty);
                spread(warnings, s.step(), "answer_only", s.answerOnlyShare(), answerOnly);
                if (accDelta <= -config.accuracyDrop()) {
                    for (Map.Entry<String, Double> e : rewardDeltas.entrySet()) {
                        if (e.getValue() >= config.rewardRise()) {
                            warnings.add(new Warning("reward_accuracy_divergence", String.format(Locale.ROOT,
                                    "step %d: reward '%s' rose by %+.3f while accuracy fell by %.3f (to %.3f): "
                                            + "the policy may be exploiting '%s'",
                                    s.step(), e.getKey(), e.getValue(), -accDelta, s.accuracy(), e.getKey())));
                        }
                    }
                }
            }
        }
        metrics.put("monitor/warnings", (double) warnings.size());
        history.addLast(s);
        while (history.size() > config.window()) {
            history.removeFirst();
        }
        return new MonitorReport(s.step(), warnings, metrics);
    }

    private void spread(List<Warning> warnings, int step, String what, double share, double baseline) {
        if (share - baseline >= config.shareSpread()) {
            warnings.add(new Warning(what + "_spread", String.format(Locale.ROOT,
                    "step %d: %.1f%% of completions are %s, up from %.1f%% over the last %d steps",
                    step, 100 * share, what.replace('_', '-'), 100 * baseline, history.size())));
        }
    }

    private double mean(java.util.function.ToDoubleFunction<StepStats> f) {
        return history.stream().mapToDouble(f).average().orElse(Double.NaN);
    }
}
