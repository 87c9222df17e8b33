package dev.r1j.preference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Builds preference pairs from verifier-scored groups: a completion the verifier accepts (reward {@code >= threshold})
 * is chosen over one it rejects. Texts are deduplicated exactly within a group; a group with no accepted or no
 * rejected completion gives no pair. Of all (accepted, rejected) combinations a seeded random
 * {@code maxPairsPerPrompt} are kept; the choice for a prompt depends only on the seed, the prompt's position and its
 * group, so the output is reproducible.
 *
 * <pre>{@code
 * PairBuilder.Result r = new PairBuilder(1.0, 2, 42).build(groups);
 * r.pairs();            // at most 2 per prompt
 * r.promptsWithPairs(); // how many prompts had both a right and a wrong completion
 * }</pre>
 */
public final class PairBuilder {
    private final double threshold;
    private final int maxPairsPerPrompt;
    private final long seed;

    /** The pairs and what happened to the prompts. */
    public record Result(List<PreferencePair> pairs, int prompts, int promptsWithPairs, int allAccepted,
                         int allRejected) {}

    /**
     * @param threshold reward at or above which a completion counts as correct
     * @param maxPairsPerPrompt cap on pairs per prompt (>= 1)
     */
    public PairBuilder(double threshold, int maxPairsPerPrompt, long seed) {
        if (Double.isNaN(threshold)) throw new IllegalArgumentException("threshold must be a number");
        if (maxPairsPerPrompt < 1) {
            throw new IllegalArgumentException("max_pairs_per_prompt must be >= 1, got " + maxPairsPerPrompt);
        }
        this.threshold = threshold;
        this.maxPairsPerPrompt = maxPairsPerPrompt;
        this.seed = seed;
    }

    public Result build(List<ScoredGroup> groups) {
        List<PreferencePair> out = new ArrayList<>();
        int with = 0, allGood = 0, allBad = 0;
        for (int g = 0; g < groups.size(); g++) {
            ScoredGroup group = groups.get(g);
            Set<String> good = new LinkedHashSet<>(), bad = new LinkedHashSet<>();
            for (ScoredGroup.Scored s : group.completions()) (s.reward() >= threshold ? good : bad).add(s.text());
            bad.removeAll(good); // the same text scored both ways (a flaky verifier) is no preference
            if (good.isEmpty() || bad.isEmpty()) {
                if (bad.isEmpty() && !good.isEmpty()) allGood++;
                if (good.isEmpty()) allBad++;
                continue;
            }
            List<String[]> combos = new ArrayList<>(good.size() * bad.size());
            for (String c : good) for (String r : bad) combos.add(new String[] {c, r});
            Collections.shuffle(combos, new Random(seed * 0x9E3779B97F4A7C15L + g));
            for (String[] cr : combos.subList(0, Math.min(maxPairsPerPrompt, combos.size()))) {
                out.add(new PreferencePair(group.prompt(), cr[0], cr[1]));
            }
            with++;
        }
        return new Result(List.copyOf(out), groups.size(), with, allGood, allBad);
    }
}
