package dev.r1j.verifiers.math;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code "math"}. Options: {@code answer_key} (reference field, default {@code answer});
 * {@code tolerance} (relative tolerance of numeric comparison, default 1e-8; rationals are always compared
 * exactly); {@code timeout_ms} (time budget per comparison, default 500); {@code max_chars} (only this many
 * trailing characters of a completion are searched, default 100000); {@code extraction} ({@code strict}, the default:
 * only {@code \boxed{}}, {@code <answer>}, {@code ####} and "the answer is" count, right for rewards; or
 * {@code lenient}: then the last LaTeX environment, "final answer" phrases, the last number or expression, as
 * evaluation graders do). The reference is always read leniently.
 *
 * <pre>{@code
 * Verifier math = registry.create("math", Map.of("tolerance", 1e-6, "extraction", "lenient"));
 * }</pre>
 */
public final class MathVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return "math";
    }

    @Override
    public String description() {
        return "1 when the final answer (\\boxed{}, <answer>, ####, 'the answer is') equals the reference 'answer'";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("answer_key", "answer", "the dataset field holding the reference answer"),
                new VerifierOption("tolerance", String.valueOf(MathEquivalence.DEFAULT_TOLERANCE), "relative tolerance when comparing numbers, in [0, 0.5]"),
                new VerifierOption("timeout_ms", String.valueOf(MathEquivalence.DEFAULT_TIMEOUT_MS), "time limit of one symbolic comparison, 1..60000 ms"),
                new VerifierOption("max_chars", "100000", "longer completions score 0 without being parsed"),
                new VerifierOption("extraction", "strict", "strict: only \\boxed{}, <answer>, #### and 'the answer is' "
                        + "(rewards) | lenient: then LaTeX environments, 'final answer' phrases, the last number (evaluation)"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        MathEquivalence eq = new MathEquivalence(o.number("tolerance", MathEquivalence.DEFAULT_TOLERANCE, 0, 0.5),
                o.integer("timeout_ms", MathEquivalence.DEFAULT_TIMEOUT_MS, 1, 60_000));
        return new MathVerifier(o.string("answer_key", "answer"), eq,
                (int) o.integer("max_chars", 100_000, 100, 10_000_000),
                AnswerExtractor.Policy.parse(o.choice("extraction", "strict", "strict", "lenient")));
    }
}
