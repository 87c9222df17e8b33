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
 * Combines named verifiers into one reward. Each part has a weight and optionally a gate: a part gated by another
 * counts only when the gating part's raw reward reaches {@code gate_threshold} (e.g. accuracy only when the format is
 * right), else its value is 0. Two combinations:
 * <ul>
 *   <li>{@link Combination#WEIGHTED_SUM} (default): {@code reward = Σ weight_i · value_i}, per sample;</li>
 *   <li>{@link Combination#NORMALIZED_SUM}: each part's values are first standardised across the samples of a group
 *       (or a batch), {@code z = (value − mean) / std} (0 when the part is constant there), then
 *       {@code reward = Σ weight_i · z_i}, so a part with a large scale or spread cannot drown the others
 *       (GDPO-style decoupled normalisation). This needs the whole group: call {@link #groupRewards(List)} on the
 *       group's verdicts; {@link #verify} alone still returns the weighted sum of the values.</li>
 * </ul>
 * The verdict's details carry each part's raw reward under {@link #PART_REWARDS} (label → reward), its gated value
 * under {@link #PART_VALUES} and its reason under {@link #PART_REASONS}, so the trainer can log per-reward means
 * ({@link RewardStats}); {@link #partRewards(Verdict)} reads them back.
 *
 * <pre>{@code
 * VerifierRegistry reg = VerifierRegistry.defaultRegistry();
 * CompositeVerifier r = CompositeVerifier.fromSpecs(reg, List.of(
 *         Map.of("name", "math", "weight", 1.0, "gate", "format"),
 *         Map.of("name", "format", "weight", 0.1)));
 * Verdict v = r.verify(sample);          // v.reward() in [0, 1.1]; math counts only with the right format
 * Map<String, Double> parts = CompositeVerifier.partRewards(v);   // {math=1.0, format=1.0}
 * double[] normalised = r.withCombination(Combination.NORMALIZED_SUM).groupRewards(groupVerdicts);
 * }</pre>
 */
public final class CompositeVerifier implements Verifier, BatchReward {
    /** Details key of the per-part raw rewards, a {@code Map<String, Double>} in part order. */
    public static final String PART_REWARDS = "rewards";
    /** Details key of the per-part values after gating (0 where a gate failed), a {@code Map<String, Double>}. */
    public static final String PART_VALUES = "values";
    /** Details key of the labels whose gate failed, a {@code List<String>}. */
    public static final String GATED = "gated";
    /** Standard deviations below this count as a constant part in {@link Combination#NORMALIZED_SUM}. */
    static final double MIN_STD = 1e-9;

    /** How the parts' values become one reward. */
    public enum Combination {
        WEIGHTED_SUM, NORMALIZED_SUM;

        /** Parses {@code weighted_sum} or {@code normalized_sum} (also {@code normalised_sum}). */
        public static Combination parse(String s) {
            String k = s == null ? "" : s.trim().toLowerCase(java.util.Locale.ROOT).replace("normalised", "normalized");
            for (Combination c : values()) {
                if (c.name().toLowerCase(java.util.Locale.ROOT).equals(k)) {
                    return c;
                }
            }
            throw new IllegalArgumentException("combination '" + s + "': expected weighted_sum or normalized_sum");
        }
    }
    /** Details key of the per-part reasons, a {@code Map<String, String>} in part order. */
    public static final String PART_REASONS = "reasons";

    /**
     * One weighted part. {@code label} names it in the details and logs; it defaults to the verifier's name and
     * must be unique within a composite (use it to combine, e.g., two differently configured format verifiers).
     * {@code gate}, when not null, is the label of another part: this part's value is 0 unless that part's raw
     * reward is at least {@code gateThreshold}.
     */
    public record Part(String label, Verifier verifier, double weight, String gate, double gateThreshold) {
        public Part {
            Objects.requireNonNull(verifier, "verifier");
            label = label == null || label.isBlank() ? verifier.name() : label;
            if (!Double.isFinite(weight)) {
                throw new IllegalArgumentException("weight of '" + label + "' is " + weight + ", expected a finite number");
            }
            gate = gate == null || gate.isBlank() ? null : gate;
            if (!Double.isFinite(gateThreshold)) {
                throw new IllegalArgumentException("gate_threshold of '" + label + "' is " + gateThreshold
                        + ", expected a finite number");
            }
        }

        public Part(String label, Verifier verifier, double weight) {
            this(label, verifier, weight, null, 1.0);
        }

        public Part(Verifier verifier, double weight) {
            this(null, verifier, weight);
        }
    }

    private final List<Part> parts;
    private final Combination combination;

    /** A weighted sum of {@code parts}. */
    public CompositeVerifier(List<Part> parts) {
        this(parts, Combination.WEIGHTED_SUM);
    }

    public CompositeVerifier(List<Part> parts, Combination combination) {
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
        for (Part p : parts) {
            if (p.gate() != null && (p.gate().equals(p.label()) || !seen.contains(p.gate()))) {
                throw new IllegalArgumentException("part '" + p.label() + "' is gated by '" + p.gate()
                        + "', which is not another part; parts: " + String.join(", ", seen));
            }
        }
        this.parts = List.copyOf(parts);
        this.combination = Objects.requireNonNull(combination, "combination");
    }

    /** The same parts combined another way. */
    public CompositeVerifier withCombination(Combination c) {
        return new CompositeVerifier(parts, c);
    }

    public Combination combination() {
        return combination;
    }

    /**
     * Builds a composite from recipe specs. Each spec is a verifier name (weight 1) or a map with
     * {@code name} (required), {@code weight} (default 1), {@code options} (a map, default empty),
     * {@code label} (default the name), {@code gate} (the label of another part, default none) and
     * {@code gate_threshold} (default 1.0). Combined by weighted sum.
     */
    public static CompositeVerifier fromSpecs(VerifierRegistry registry, List<?> specs) {
        return fromSpecs(registry, specs, Combination.WEIGHTED_SUM);
    }

    /** Like {@link #fromSpecs(VerifierRegistry, List)}, combined by {@code combination}. */
    public static CompositeVerifier fromSpecs(VerifierRegistry registry, List<?> specs, Combination combination) {
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
                VerifierOptions o = VerifierOptions.of(where, (Map<String, Object>) m, "name", "weight", "options", "label",
                        "gate", "gate_threshold");
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
                parts.add(new Part(o.string("label", name), registry.create(name, optMap), o.number("weight", 1.0),
                        o.string("gate", null), o.number("gate_threshold", 1.0)));
            } else {
                throw new IllegalArgumentException(where + ": expected a verifier name or a map with 'name', got "
                        + spec);
            }
        }
        return new CompositeVerifier(parts, combination);
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
        Map<String, Double> rewards = new LinkedHashMap<>();
        Map<String, String> reasons = new LinkedHashMap<>();
        for (Part p : parts) {
            Verdict v;
            try {
                v = p.verifier().verify(sample);
            } catch (RuntimeException e) {
                // A faulty plugin must not take down the step; it scores 0 like any verifier-side failure.
                v = Verdict.error(p.label() + " threw " + e);
            }
            rewards.put(p.label(), v.reward());
            reasons.put(p.label(), v.reason());
        }
        double total = 0;
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> gated = new ArrayList<>();
        StringBuilder reason = new StringBuilder();
        for (Part p : parts) {
            double value = rewards.get(p.label());
            boolean open = p.gate() == null || rewards.get(p.gate()) >= p.gateThreshold();
            if (!open) {
                value = 0.0;
                gated.add(p.label());
            }
            values.put(p.label(), value);
            total += p.weight() * value;
            if (reason.length() > 0) {
                reason.append("; ");
            }
            reason.append(p.label()).append('=').append(fmt(rewards.get(p.label())));
            if (!open) {
                reason.append(" gated by ").append(p.gate());
            }
            reason.append(" (").append(reasons.get(p.label())).append(')');
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put(PART_REWARDS, Collections.unmodifiableMap(rewards));
        details.put(PART_VALUES, Collections.unmodifiableMap(values));
        details.put(PART_REASONS, Collections.unmodifiableMap(reasons));
        if (!gated.isEmpty()) {
            details.put(GATED, List.copyOf(gated));
        }
        return new Verdict(total, reason.toString(), details);
    }

    /**
     * The rewards of a group (or batch) of this composite's verdicts, combined by {@link #combination()}: for
     * {@link Combination#WEIGHTED_SUM} each verdict's own reward; for {@link Combination#NORMALIZED_SUM}
     * {@code Σ weight_p · (value_ip − mean_p) / std_p} with the mean and population standard deviation of part
     * {@code p}'s gated values over the group (a part with {@code std_p < 1e-9} contributes 0).
     *
     * @throws IllegalArgumentException when a verdict lacks a part's value (it did not come from this composite)
     */
    @Override
    public double[] groupRewards(List<Verdict> verdicts) {
        int n = verdicts.size();
        double[] out = new double[n];
        if (combination == Combination.WEIGHTED_SUM) {
            for (int i = 0; i < n; i++) {
                out[i] = verdicts.get(i).reward();
            }
            return out;
        }
        for (Part p : parts) {
            double[] col = new double[n];
            for (int i = 0; i < n; i++) {
                Double v = partValues(verdicts.get(i)).get(p.label());
                if (v == null) {
                    throw new IllegalArgumentException("verdict " + i + " has no value for part '" + p.label()
                            + "': it did not come from this composite verifier");
                }
                col[i] = v;
            }
            double mean = 0;
            for (double v : col) {
                mean += v;
            }
            mean /= n;
            double var = 0;
            for (double v : col) {
                var += (v - mean) * (v - mean);
            }
            double std = Math.sqrt(var / n);
            if (std < MIN_STD) {
                continue;
            }
            for (int i = 0; i < n; i++) {
                out[i] += p.weight() * (col[i] - mean) / std;
            }
        }
        return out;
    }

    /** The per-part values after gating of a composite's verdict (empty when it did not come from a composite). */
    public static Map<String, Double> partValues(Verdict verdict) {
        return numberMap(verdict.details().get(PART_VALUES));
    }

    /** The per-part rewards of a composite's verdict (empty when the verdict did not come from a composite). */
    public static Map<String, Double> partRewards(Verdict verdict) {
        return numberMap(verdict.details().get(PART_REWARDS));
    }

    private static Map<String, Double> numberMap(Object o) {
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
