package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code "cosine_length"} (see {@link CosineLengthVerifier}). Options: {@code verifier} (the correctness
 * verifier's name, default {@code math}); {@code verifier_options} (its options, default none);
 * {@code min_value_correct} (0.5), {@code max_value_correct} (1.0), {@code min_value_wrong} (−1.0),
 * {@code max_value_wrong} (−0.5), {@code max_length} (1000), {@code correct_threshold} (1.0: the wrapped reward at
 * which an answer counts as correct).
 *
 * <pre>{@code
 * Verifier v = registry.create("cosine_length", Map.of("max_length", 4096));
 * }</pre>
 */
public final class CosineLengthProvider implements VerifierProvider {
    @Override
    public String name() {
        return "cosine_length";
    }

    @Override
    public String description() {
        return "correctness scaled by a cosine of the length: short correct answers earn most (Yeo et al. 2025)";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("verifier", "math", "the correctness verifier whose reward is scaled"),
                new VerifierOption("verifier_options", "{}", "that verifier's options"),
                new VerifierOption("min_value_correct", "0.5", "reward of a correct answer at max_length"),
                new VerifierOption("max_value_correct", "1.0", "reward of a correct answer of length 0"),
                new VerifierOption("min_value_wrong", "-1.0", "reward of a wrong answer of length 0"),
                new VerifierOption("max_value_wrong", "-0.5", "reward of a wrong answer at max_length"),
                new VerifierOption("max_length", "1000", "length (characters) at which the cosine reaches its end"),
                new VerifierOption("correct_threshold", "1.0", "inner reward at or above which an answer counts as correct"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        String inner = o.string("verifier", "math");
        if (inner.equals(name())) {
            throw o.bad("verifier", inner, "a correctness verifier other than cosine_length itself");
        }
        Object opts = o.raw("verifier_options");
        if (opts != null && !(opts instanceof Map)) {
            throw o.bad("verifier_options", opts, "a map of options");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> innerOptions = opts == null ? Map.of() : (Map<String, Object>) opts;
        return new CosineLengthVerifier(VerifierRegistry.defaultRegistry().create(inner, innerOptions),
                o.number("min_value_correct", 0.5), o.number("max_value_correct", 1.0),
                o.number("min_value_wrong", -1.0), o.number("max_value_wrong", -0.5),
                (int) o.integer("max_length", 1000, 1, Integer.MAX_VALUE), o.number("correct_threshold", 1.0));
    }
}
