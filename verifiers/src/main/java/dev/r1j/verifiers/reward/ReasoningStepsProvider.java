package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Provider {@code "reasoning_steps"} (see {@link ReasoningStepsVerifier}). Options: {@code target} (steps for the
 * full reward, default 3), {@code pattern} (a Java regex of one step marker, MULTILINE; default open-r1's markers),
 * {@code timeout_ms} (bound on the scan, default 200).
 *
 * <pre>{@code
 * Verifier v = registry.create("reasoning_steps", Map.of("target", 5));
 * }</pre>
 */
public final class ReasoningStepsProvider implements VerifierProvider {
    @Override
    public String name() {
        return "reasoning_steps";
    }

    @Override
    public String description() {
        return "min(1, step markers / target): 'Step 1:', numbered or bulleted lines, 'First,', 'Next,', …";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("target", "3", "step markers that earn the full reward"),
                new VerifierOption("pattern", "'Step 1:', numbered or bulleted lines, 'First,', ...", "a Java regex (MULTILINE) matching one step marker"),
                new VerifierOption("timeout_ms", "200", "time limit of the regex count, 1..60000 ms"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        Pattern p = ReasoningStepsVerifier.DEFAULT_PATTERN;
        if (o.has("pattern")) {
            try {
                p = Pattern.compile(o.string("pattern", null), Pattern.MULTILINE);
            } catch (PatternSyntaxException e) {
                throw o.bad("pattern", o.raw("pattern"), "a valid Java regex (" + e.getDescription() + ")");
            }
        }
        return new ReasoningStepsVerifier(p, (int) o.integer("target", 3, 1, 1_000_000),
                o.integer("timeout_ms", 200, 1, 60_000));
    }
}
