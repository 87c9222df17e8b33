package dev.r1j.recipes.stage;

import dev.r1j.recipes.config.Default;
import dev.r1j.recipes.config.Help;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A verifier named in a recipe, for stage options: {@code verifiers: [math, {name: format, weight: 0.1}]}. The name is
 * checked against the verifiers on the class path when the recipe loads, so a typo is reported with its line.
 *
 * <pre>{@code
 * public record GrpoOptions(@Help("reward = Σ weight · verifier") @Default("[math]") List<VerifierSpec> verifiers, ...) {}
 * Verifier reward = VerifierSpec.build(options.verifiers());   // a CompositeVerifier (weighted sum)
 * }</pre>
 */
public record VerifierSpec(
        @Help("verifier name, e.g. math, format, code") String name,
        @Help("weight of this verifier's reward in the sum") @Default("1.0") double weight,
        @Help("verifier options, e.g. {mode: boxed} for format") @Default("{}") Map<String, Object> options,
        @Help("label in logs and per-reward metrics; null: the name") @Default("null") String label) {

    public VerifierSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name: a verifier name is required");
        }
        VerifierRegistry registry = VerifierRegistry.defaultRegistry();
        if (!registry.contains(name)) {
            try {
                registry.provider(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("name: " + e.getMessage(), e);
            }
        }
        if (!Double.isFinite(weight)) {
            throw new IllegalArgumentException("weight must be a finite number, got " + weight);
        }
        options = options == null ? Map.of() : options;
    }

    /** The weighted sum of the specs' verifiers, built from the default registry; options are checked here. */
    public static CompositeVerifier build(List<VerifierSpec> specs) {
        VerifierRegistry registry = VerifierRegistry.defaultRegistry();
        List<CompositeVerifier.Part> parts = new ArrayList<>();
        for (VerifierSpec s : specs) {
            parts.add(new CompositeVerifier.Part(s.label(), registry.create(s.name(), s.options()), s.weight()));
        }
        return new CompositeVerifier(parts);
    }
}
