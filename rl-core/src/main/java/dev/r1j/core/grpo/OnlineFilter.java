package dev.r1j.core.grpo;

import dev.r1j.options.Default;
import dev.r1j.options.Help;

/**
 * Online difficulty filtering: a prompt whose recent pass rate (the share of its completions with full credit,
 * averaged over its last {@code window} groups) is at most {@code low} or at least {@code high} is skipped when drawn,
 * so steps are spent on prompts that still teach. It complements DAPO's dynamic sampling, which samples such a
 * prompt and then throws its group away; here the group is never sampled. As in Skywork-OR1's online filtering
 * (He et al. 2025), a skipped prompt stays retired: it is not sampled again, so its history cannot change. Recipe key
 * {@code online_filter: {window, low, high}}; {@code window: 0} is off.
 *
 * <pre>{@code
 * OnlineFilter f = new OnlineFilter(2, 0.0, 1.0);   // retire prompts solved (or failed) by every completion twice
 * }</pre>
 */
public record OnlineFilter(
        @Help("groups of a prompt its recent pass rate averages over; 0 = off") @Default("0") int window,
        @Help("retire a prompt whose recent pass rate is <= low (too hard)") @Default("0.0") double low,
        @Help("retire a prompt whose recent pass rate is >= high (solved)") @Default("1.0") double high) {

    public OnlineFilter {
        if (window < 0) throw new IllegalArgumentException("online_filter.window must be >= 0 (0 = off), got " + window);
        if (!(low >= 0 && low < high && high <= 1)) {
            throw new IllegalArgumentException("online_filter needs 0 <= low < high <= 1, got low " + low + ", high "
                    + high);
        }
    }

    /** The filter that skips nothing. */
    public static OnlineFilter off() {
        return new OnlineFilter(0, 0.0, 1.0);
    }

    public boolean enabled() {
        return window > 0;
    }
}
