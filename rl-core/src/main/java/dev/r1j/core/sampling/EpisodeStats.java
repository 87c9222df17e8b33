package dev.r1j.core.sampling;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tool-use statistics over completions: turns, tool calls, errors and timeouts per episode, the share of episodes
 * that called a tool, and the environment's reward. Empty when no completion is multi-turn, so single-turn runs log
 * nothing new. GRPO logs them as {@code tools/<key>}; evaluation reports them as they are.
 *
 * <pre>{@code
 * Map<String, Double> s = EpisodeStats.of(completions);   // {turns_mean=1.6, tool_calls_mean=0.6, tool_use_frac=0.5, ...}
 * }</pre>
 */
public final class EpisodeStats {
    private EpisodeStats() {}

    /** The statistics of {@code completions}: means per episode (a single-turn completion counts as 1 turn, 0 calls). */
    public static Map<String, Double> of(List<Completion> completions) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (completions.isEmpty() || completions.stream().allMatch(c -> c.episode() == null)) return out;
        double turns = 0, calls = 0, errors = 0, timeouts = 0, used = 0, reward = 0;
        for (Completion c : completions) {
            Episode e = c.episode();
            if (e == null) {
                turns++;
                continue;
            }
            turns += e.turns();
            calls += e.toolCalls();
            errors += e.toolErrors();
            timeouts += e.toolTimeouts();
            if (e.toolCalls() > 0) used++;
            reward += e.reward();
        }
        int n = completions.size();
        out.put("turns_mean", turns / n);
        out.put("tool_calls_mean", calls / n);
        out.put("tool_errors_mean", errors / n);
        out.put("tool_timeouts_mean", timeouts / n);
        out.put("tool_use_frac", used / n);
        out.put("env_reward_mean", reward / n);
        return out;
    }
}
