package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code "repetition"} (see {@link RepetitionPenaltyVerifier}). Options: {@code ngram_size} (default 3),
 * {@code max_penalty} (default −1.0, must be ≤ 0).
 *
 * <pre>{@code
 * Verifier v = registry.create("repetition", Map.of("ngram_size", 4, "max_penalty", -0.5));
 * }</pre>
 */
public final class RepetitionPenaltyProvider implements VerifierProvider {
    @Override
    public String name() {
        return "repetition";
    }

    @Override
    public String description() {
        return "penalty max_penalty·(1 − distinct/total word n-grams) for repetitive completions";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("ngram_size", "3", "words per n-gram, 1..100"),
                new VerifierOption("max_penalty", "-1.0", "the penalty of a completion that only repeats (<= 0)"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        return new RepetitionPenaltyVerifier((int) o.integer("ngram_size", 3, 1, 100),
                o.number("max_penalty", -1.0, -1e9, 0.0));
    }
}
