package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Length-scaled correctness (Yeo et al. 2025, "Demystifying Long Chain-of-Thought Reasoning in LLMs"; open-r1's
 * {@code get_cosine_scaled_reward}). A wrapped verifier (math by default) decides correct or wrong; the length
 * {@code L} (tokens when the reference carries {@link CompletionLength#TOKENS_KEY}, else characters) then moves the
 * reward along a half cosine from the short end to the long end:
 * <pre>
 *   r(L) = long + (short − long) · (1 + cos(π · min(L, maxLength) / maxLength)) / 2
 * </pre>
 * with (short, long) = ({@code maxValueCorrect}, {@code minValueCorrect}) for a correct answer, so shorter correct
 * answers earn more, and ({@code minValueWrong}, {@code maxValueWrong}) for a wrong one, so a wrong answer is punished
 * less when the model at least thought longer. Lengths beyond {@code maxLength} get the long-end value (open-r1 lets
 * the cosine wrap around there, which would reward overshooting).
 *
 * <pre>{@code
 * // defaults: correct 1.0 → 0.5, wrong −1.0 → −0.5 over 1000 tokens
 * Verifier v = new CosineLengthVerifier(math, 0.5, 1.0, -1.0, -0.5, 1000, 1.0);
 * v.verify(new Sample("", "\\boxed{4}", Map.of("answer", "4", "completion_tokens", 500))).reward();  // 0.75
 * }</pre>
 */
public final class CosineLengthVerifier implements Verifier {
    private final Verifier correctness;
    private final double minCorrect;
    private final double maxCorrect;
    private final double minWrong;
    private final double maxWrong;
    private final int maxLength;
    private final double threshold;

    /**
     * @param correctness the verifier that decides correctness; its reward {@code >= threshold} means correct
     * @param maxLength the length at which the cosine reaches its long end, {@code > 0}
     */
    public CosineLengthVerifier(Verifier correctness, double minCorrect, double maxCorrect, double minWrong,
                                double maxWrong, int maxLength, double threshold) {
        this.correctness = Objects.requireNonNull(correctness, "correctness");
        if (maxLength <= 0) {
            throw new IllegalArgumentException("verifier 'cosine_length': max_length must be > 0, got " + maxLength);
        }
        this.minCorrect = minCorrect;
        this.maxCorrect = maxCorrect;
        this.minWrong = minWrong;
        this.maxWrong = maxWrong;
        this.maxLength = maxLength;
        this.threshold = threshold;
    }

    @Override
    public String name() {
        return "cosine_length";
    }

    /** The half-cosine interpolation from {@code atZero} (length 0) to {@code atMax} (length ≥ maxLength). */
    static double cosine(int length, int maxLength, double atZero, double atMax) {
        double progress = Math.min(length, maxLength) / (double) maxLength;
        return atMax + 0.5 * (atZero - atMax) * (1.0 + Math.cos(Math.PI * progress));
    }

    @Override
    public Verdict verify(Sample sample) {
        CompletionLength.Length len;
        try {
            len = CompletionLength.of(sample);
        } catch (IllegalArgumentException e) {
            return Verdict.error(e.getMessage());
        }
        Verdict inner = correctness.verify(sample);
        if (Boolean.TRUE.equals(inner.details().get("error"))) {
            return inner; // a verifier-side failure stays an error with reward 0, never a length-scaled pass
        }
        boolean correct = inner.reward() >= threshold;
        double r = correct ? cosine(len.value(), maxLength, maxCorrect, minCorrect)
                : cosine(len.value(), maxLength, minWrong, maxWrong);
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("correct", correct);
        d.put("length", len.value());
        d.put("length_unit", len.unit());
        d.put("inner_reward", inner.reward());
        return new Verdict(r, String.format(Locale.ROOT, "%s at %d %s (%s)", correct ? "correct" : "wrong",
                len.value(), len.unit(), inner.reason()), d);
    }
}
