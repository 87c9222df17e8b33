package dev.r1j.verifiers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A weighted sum of named verifiers: {@code reward = Σ weight_i · reward_i}. The verdict's details carry each
 * part's reward under {@link #PART_REWARDS} (label → reward) and its reason under {@link #PART_REASONS}, so the
 * trainer can log per-reward means; {@link #partRewards(Verdict)} reads them back.
 *
 * <pre>{@code
 * VerifierRegistry reg = VerifierRegistry.defaultRegistry();
 * Verifier r = CompositeVerifier.fromSpecs(reg, List.of(
 *         Map.of("name", "math", "weight", 1.0),
 *         Map.of("name", "format", "weight", 0.1)));
 * Verdict v = r.verify(sample);          // v.reward() in [0, 1.1]
 * Map<String, Double> parts = CompositeVerifier.partRewards(v);   // {math=1.0, format=1.0}
 * }</pre>
 */
public final class CompositeVerifier implements Verifier {
    /** Details key of the per-part rewards, a {@code Map<String, Double>} in part order. */
    public static final String PART_REWARDS = "rewards";
    /** Details key of the per-part reasons, a {@code Map<String, String>} in part order. */
    public static final String PART_REASONS = "reasons";

    /**
     * One weighted part. {@code label} names it in the details and logs; it defaults to the verifier's name and
     * must be unique within a composite (use it to combine, e.g., two differently configured format verifiers).
     */
    public record Part(String label, Verifier verifier, double weight) {
        public Part {
            Objects.requireNonNull(verifier, "verifier");
            label = label == null || label.isBlank() ? verifier.name() : label;
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("weight of '" + label + "' is " + weight + ", expected a finite number");
            }
        }

        public Part(Verifier verifier, double weight) {
            this(null, verifier, weight);
        }
    }

    private final List<Part> parts;

    public CompositeVerifier(List<Part> parts) {
        if (parts == null || parts.isEmpty()) {
            throw new IllegalArgumentException("a composite verifier needs at least one part");
        }
        Set<String> seen = new LinkedHashSet<>();
        for (Part p : parts) {
            if (!seen.add(p.label())) {
                throw new IllegalArgumentException("two composite parts are labelled '" + p.label()
                        + "'; give one of them a distinct 'label'");
            }
        }
        this.parts = List.copyOf(parts);
    }

    /**
     * Builds a composite from recipe specs. Each spec is a verifier name (weight 1) or a map with
     * {@code name} (required), {@code weight} (default 1), {@code options} (a map, default empty) and
     * {@code label} (default the name).
     */
    public static CompositeVerifier fromSpecs(VerifierRegistry registry, List<?> specs) {
        if (specs == null || specs.isEmpty()) {
            throw new IllegalArgumentException("verifiers: expected a non-empty list of verifier specs");
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Object spec = specs.get(i);
            String where = "verifiers[" + i + "]";
            if (spec instanceof String name) {
                parts.add(new Part(registry.create(name, Map.of()), 1.0));
            } else if (spec instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                VerifierOptions o = VerifierOptions.of(where, (Map<String, Object>) m, "name", "weight", "options", "label");
                String name = o.string("name", null);
                if (name == null) {
                    throw new IllegalArgumentException(where + ": missing 'name'");
                }
                Object opts = o.raw("options");
                if (opts != null && !(opts instanceof Map)) {
                    throw o.bad("options", opts, "a map of options");
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> optMap = opts == null ? Map.of() : (Map<String, Object>) opts;
                parts.add(new Part(o.string("label", name), registry.create(name, optMap), o.number("weight", 1.0)));
            } else {
                throw new IllegalArgumentException(where + ": expected a verifier name or a map with 'name', got "
                        + spec);
            }
        }
        return new CompositeVerifier(parts);
    }

    public List<Part> parts() {
        return parts;
    }

    @Override
    public String name() {
        return "composite";
    }

    @Override
    public Verdict verify(Sample sample) {
        double total = 0;
        Map<String, Double> rewards = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        StringBuilder reason = new StringBuilder();
        for (Part p : parts) {
            Verdict v;
            try {
                v = p.verifier().verify(sample);
            } catch (RuntimeException e) {
                // A faulty plugin must not take down the step; it scores 0 like any verifier-side failure.
                v = Verdict.error(p.label() + " threw " + e);
            }
            total += p.weight() * v.reward();
            rewards.put(p.label(), v.reward());
            reasons.put(p.label(), v.reason());
            if (reason.length() > 0) {
                reason.append("; ");
            }
            reason.append(p.label()).append('=').append(fmt(v.reward())).append(" (").append(v.reason()).append(')');
        }
        return new Verdict(total, reason.toString(), Map.of(
                PART_REWARDS, Collections.unmodifiableMap(rewards),
                PART_REASONS, Collections.unmodifiableMap(reasons)));
    }

    /** The per-part rewards of a composite's verdict (empty when the verdict did not come from a composite). */
    public static Map<String, Double> partRewards(Verdict verdict) {
        Object o = verdict.details().get(PART_REWARDS);
        if (!(o instanceof Map<?, ?> m)) {
            return Map.of();
        }
        Map<String, Double> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getValue() instanceof Number n) {
                out.put(String.valueOf(e.getKey()), n.doubleValue());
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
