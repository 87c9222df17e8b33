package dev.r1j.core.grpo;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The recent pass rates of each prompt (by its text), the state of {@link OnlineFilter}: the last {@code window}
 * rates per prompt. Its {@link #toState() state} goes into GRPO checkpoints, so a resumed run skips exactly the
 * prompts an uninterrupted one would.
 *
 * <pre>{@code
 * PassRateHistory h = new PassRateHistory(new OnlineFilter(2, 0.0, 1.0));
 * h.observe("12+7=", 1.0); h.observe("12+7=", 1.0);
 * h.retired("12+7=");   // true: solved by every completion in both of its last two groups
 * }</pre>
 */
public final class PassRateHistory {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final OnlineFilter filter;
    private final Map<String, Deque<Double>> rates = new LinkedHashMap<>();

    public PassRateHistory(OnlineFilter filter) {
        this.filter = filter;
    }

    /** Records one group's pass rate for {@code prompt}. */
    public void observe(String prompt, double passRate) {
        if (!filter.enabled()) return;
        Deque<Double> d = rates.computeIfAbsent(prompt, p -> new ArrayDeque<>(filter.window()));
        if (d.size() == filter.window()) d.removeFirst();
        d.addLast(passRate);
    }

    /** Whether {@code prompt} has a full window of pass rates whose mean is at or beyond a threshold. */
    public boolean retired(String prompt) {
        Deque<Double> d = rates.get(prompt);
        if (!filter.enabled() || d == null || d.size() < filter.window()) return false;
        double mean = 0;
        for (double r : d) mean += r;
        mean /= d.size();
        return mean <= filter.low() || mean >= filter.high();
    }

    /** How many prompts seen so far are retired. */
    public int retiredCount() {
        int n = 0;
        for (String p : rates.keySet()) if (retired(p)) n++;
        return n;
    }

    /** {@link #toState()} as JSON text (a checkpoint's {@code trainer_state.json} holds it as one string). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(toState());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e); // strings and numbers only: cannot happen
        }
    }

    /** Restores from {@link #toJson()}'s text (null or blank: no histories). */
    public void restoreJson(String json) {
        if (json == null || json.isBlank()) {
            restore(null);
            return;
        }
        try {
            restore(JSON.readValue(json, new com.fasterxml.jackson.core.type.TypeReference<Map<String, List<Double>>>() {}));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("pass_rates in the checkpoint is not a map of prompt to rates: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** The histories as a JSON-friendly map: prompt text to its recent rates, oldest first. */
    public Map<String, List<Double>> toState() {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        rates.forEach((p, d) -> out.put(p, new ArrayList<>(d)));
        return out;
    }

    /** Replaces the histories with {@code state} (from {@link #toState}; null or empty: none). */
    public void restore(Map<String, ? extends List<? extends Number>> state) {
        rates.clear();
        if (state == null) return;
        state.forEach((p, list) -> {
            Deque<Double> d = new ArrayDeque<>();
            for (Number r : list) d.addLast(r.doubleValue());
            while (d.size() > filter.window()) d.removeFirst();
            rates.put(p, d);
        });
    }
}
