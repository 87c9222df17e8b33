package dev.r1j.examples.countdown;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code "countdown"}, listed in {@code META-INF/services/dev.r1j.verifiers.VerifierProvider}. Options:
 * {@code format_score} (default 0.1, TinyZero's), {@code use_all} (default true: every number exactly once),
 * {@code max_equation_chars} (default 200).
 *
 * <pre>{@code
 * # in a recipe
 * verifiers: [{name: countdown, weight: 1.0, options: {use_all: false}}]
 * }</pre>
 */
public final class CountdownVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return "countdown";
    }

    @Override
    public String description() {
        return "Countdown game (TinyZero): 1 when <answer> holds an equation over 'nums' that equals 'target'";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("format_score", "0.1", "reward of a well-formed but wrong equation, in [0, 1]"),
                new VerifierOption("use_all", "true", "every number in 'nums' must be used exactly once"),
                new VerifierOption("max_equation_chars", "200", "longer equations score 0 unparsed"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        return new CountdownVerifier(o.number("format_score", 0.1, 0.0, 1.0), o.bool("use_all", true),
                (int) o.integer("max_equation_chars", 200, 1, 10_000));
    }
}
