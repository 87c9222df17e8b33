package dev.r1j.verifiers.eval;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Verifiers as evaluation builds them: the {@code math} verifier extracts answers leniently (anchors, then the last
 * LaTeX environment, "final answer" phrases, the last number) unless the options say {@code extraction}; rewards keep
 * the strict default, where a bare number in the reasoning must not pay. Used by {@code recipe eval} and the recipes'
 * {@code eval} stage for the verifier that decides exact-match accuracy.
 *
 * <pre>{@code
 * Verifier exact = EvaluationVerifiers.create("math", Map.of());                          // lenient extraction
 * Verifier asTrained = EvaluationVerifiers.create("math", Map.of("extraction", "strict")); // as in training
 * }</pre>
 */
public final class EvaluationVerifiers {
    /** The math verifier's extraction policy when evaluating. */
    public static final String DEFAULT_MATH_EXTRACTION = "lenient";

    private EvaluationVerifiers() {}

    /** {@code options} with the evaluation defaults of verifier {@code name} filled in. */
    public static Map<String, Object> options(String name, Map<String, Object> options) {
        if (!"math".equals(name) || options.containsKey("extraction")) {
            return options;
        }
        Map<String, Object> out = new LinkedHashMap<>(options);
        out.put("extraction", DEFAULT_MATH_EXTRACTION);
        return out;
    }

    public static Verifier create(String name, Map<String, Object> options) {
        return VerifierRegistry.defaultRegistry().create(name, options(name, options));
    }
}
