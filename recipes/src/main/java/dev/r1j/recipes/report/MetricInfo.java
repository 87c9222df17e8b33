package dev.r1j.recipes.report;

import java.util.Locale;
import java.util.Map;

/**
 * How a metric of {@code metrics.jsonl} is shown: a title a reader understands and the unit of its axis.
 *
 * <pre>{@code
 * MetricInfo.of("completion_len_mean");   // Mean completion length, tokens
 * }</pre>
 */
public record MetricInfo(String key, String title, String unit) {
    private static final Map<String, MetricInfo> KNOWN = Map.ofEntries(
            known("reward_mean", "Mean reward", "reward per completion"),
            known("reward_std", "Reward standard deviation", "reward"),
            known("accuracy", "Accuracy", "fraction correct"),
            known("completion_len_mean", "Mean completion length", "tokens"),
            known("kl", "KL divergence to the reference", "nats per token"),
            // cross-entropy (nats per token) in pretraining and SFT, a surrogate objective in GRPO and DPO
            known("loss", "Training loss", "objective value"),
            known("entropy", "Policy entropy", "nats per token"),
            known("clip_frac", "Clipped fraction", "fraction of tokens"),
            known("lr", "Learning rate", "learning rate"),
            known("grad_norm", "Gradient norm", "L2 norm"),
            known("truncated_frac", "Truncated completions", "fraction"),
            known("tokens_per_s", "Throughput", "tokens per second"));

    private static Map.Entry<String, MetricInfo> known(String key, String title, String unit) {
        return Map.entry(key, new MetricInfo(key, title, unit));
    }

    /** The known title and unit, or the key in words with no unit. */
    public static MetricInfo of(String key) {
        MetricInfo m = KNOWN.get(key);
        if (m != null) {
            return m;
        }
        String words = key.replace('_', ' ').replace('/', ' ');
        return new MetricInfo(key, words.substring(0, 1).toUpperCase(Locale.ROOT) + words.substring(1), "");
    }

    /** The y-axis title: the unit, or the title when there is none. */
    public String axisTitle() {
        return unit.isEmpty() ? title : unit;
    }
}
