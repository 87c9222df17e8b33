package dev.r1j.recipes.stage;

import dev.r1j.options.Default;
import dev.r1j.options.DidYouMean;
import dev.r1j.options.Help;
import dev.r1j.verifiers.CompositeVerifier;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A verifier named in a recipe, for stage options: {@code verifiers: [math, {name: format, weight: 0.1}]}. The name is
 * checked against the verifiers on the class path when the recipe loads, so a typo is reported with its line. A spec
 * may be gated by another one ({@code {name: math, gate: format}}: math counts only when format's raw reward is at
 * least {@code gate_threshold}); {@link #checkGates} checks the gates of a list against its labels.
 *
 * <pre>{@code
 * public record GrpoOptions(@Help("reward = Σ weight · verifier") @Default("[math]") List<VerifierSpec> verifiers, ...) {}
 * Verifier reward = VerifierSpec.build(options.verifiers());   // a CompositeVerifier (weighted sum)
 * Verifier z = VerifierSpec.build(options.verifiers(), Combination.NORMALIZED_SUM);   // per-group z-scores summed
 * }</pre>
 */
public record VerifierSpec(
        @Help("verifier name, e.g. math, format, code") String name,
        @Help("weight of this verifier's reward in the sum") @Default("1.0") double weight,
        @Help("verifier options, e.g. {mode: boxed} for format") @Default("{}") Map<String, Object> options,
        @Help("label in logs and per-reward metrics; null: the name") @Default("null") String label,
        @Help("label of another verifier: this one counts only when that one's raw reward is >= gate_threshold; "
                + "null: ungated") @Default("null") String gate,
        @Help("the gating verifier's raw reward needed to open the gate") @Default("1.0") double gateThreshold) {

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
        if (!Double.isFinite(gateThreshold)) {
            throw new IllegalArgumentException("gate_threshold must be a finite number, got " + gateThreshold);
        }
        options = options == null ? Map.of() : options;
        gate = gate == null || gate.isBlank() ? null : gate;
    }

    /** A spec with the default weight, no options, its name as label and no gate. */
    public static VerifierSpec of(String name) {
        return new VerifierSpec(name, 1.0, Map.of(), null, null, 1.0);
    }

    /** This spec's verifier alone (no composite around it, so its verdict details stay its own). */
    public Verifier create() {
        return VerifierRegistry.defaultRegistry().create(name, options);
    }

    /** The label of this spec's part: {@link #label} or, when null, the name. */
    public String partLabel() {
        return label == null || label.isBlank() ? name : label;
    }

    /**
     * Checks that labels are unique and that every gate names another spec's label of the list, which is the recipe
     * key {@code key} (e.g. {@code verifiers}); the error names {@code key[i].gate} (or {@code key[i].label}) so the
     * recipe loader can point at its line, with a did-you-mean hint.
     */
    public static void checkGates(String key, List<VerifierSpec> specs) {
        Set<String> labels = new LinkedHashSet<>();
        for (int i = 0; i < specs.size(); i++) {
            String l = specs.get(i).partLabel();
            if (!labels.add(l)) {
                throw new IllegalArgumentException(key + "[" + i + "].label: two verifiers are labelled '" + l
                        + "'; give one of them a distinct label");
            }
        }
        for (int i = 0; i < specs.size(); i++) {
            VerifierSpec s = specs.get(i);
            if (s.gate() == null) continue;
            List<String> others = labels.stream().filter(l -> !l.equals(s.partLabel())).toList();
            if (!others.contains(s.gate())) {
                throw new IllegalArgumentException(key + "[" + i + "].gate: '" + s.gate() + "' is not the label of "
                        + "another verifier" + DidYouMean.hint(s.gate(), others) + "; labels: "
                        + (others.isEmpty() ? "(none)" : String.join(", ", others)));
            }
        }
    }

    /** The weighted sum of the specs' verifiers, built from the default registry; options are checked here. */
    public static CompositeVerifier build(List<VerifierSpec> specs) {
        return build(specs, CompositeVerifier.Combination.WEIGHTED_SUM);
    }

    /** The specs' verifiers (with their gates) combined by {@code combination}. */
    public static CompositeVerifier build(List<VerifierSpec> specs, CompositeVerifier.Combination combination) {
        checkGates("verifiers", specs);
        VerifierRegistry registry = VerifierRegistry.defaultRegistry();
        List<CompositeVerifier.Part> parts = new ArrayList<>();
        for (VerifierSpec s : specs) {
            parts.add(new CompositeVerifier.Part(s.partLabel(), registry.create(s.name(), s.options()), s.weight(),
                    s.gate(), s.gateThreshold()));
        }
        return new CompositeVerifier(parts, combination);
    }
}
