package dev.r1j.verifiers.math;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reward 1 when the completion's final answer equals the reference answer, else 0. The answer is found by
 * {@link AnswerExtractor} under the verifier's extraction policy ({@code strict} by default: anchors only, right for
 * rewards; {@code lenient} for evaluation); the reference (field {@code answer} by default) is always read with the
 * lenient policy by the same code, so it may be a worked solution (a GSM8K {@code #### 42} line, a final
 * {@code \boxed{}}), {@code $120$}, or several boxes. Equivalence is {@link MathEquivalence}.
 *
 * <pre>{@code
 * Verifier v = new MathVerifier("answer", MathEquivalence.defaults(), 100_000);
 * v.verify(new Sample("", "... so \\boxed{\\dfrac{1}{2}}", Map.of("answer", "0.5"))).reward();   // 1.0
 * }</pre>
 */
public final class MathVerifier implements Verifier {
    private final String answerKey;
    private final MathEquivalence equivalence;
    private final int maxChars;
    private final AnswerExtractor.Policy extraction;

    /** The strict extraction policy. */
    public MathVerifier(String answerKey, MathEquivalence equivalence, int maxChars) {
        this(answerKey, equivalence, maxChars, AnswerExtractor.Policy.STRICT);
    }

    /**
     * @param answerKey the reference field holding the answer
     * @param maxChars only the last {@code maxChars} characters of a completion are searched for the answer
     * @param extraction how the completion's answer is found (the reference is always read leniently)
     */
    public MathVerifier(String answerKey, MathEquivalence equivalence, int maxChars, AnswerExtractor.Policy extraction) {
        this.answerKey = answerKey;
        this.equivalence = equivalence;
        this.maxChars = maxChars;
        this.extraction = extraction;
    }

    @Override
    public String name() {
        return "math";
    }

    @Override
    public Verdict verify(Sample sample) {
        String ref = sample.referenceString(answerKey);
        if (ref == null || ref.isBlank()) {
            return Verdict.error("sample has no reference field '" + answerKey + "'");
        }
        String expected = referenceAnswer(ref, maxChars);
        Optional<AnswerExtractor.Extraction> ex = AnswerExtractor.extract(sample.completion(), maxChars, extraction);
        if (ex.isEmpty()) {
            return new Verdict(0.0, "no answer found", Map.of("expected", expected));
        }
        String got = ex.get().answer();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("extracted", abbreviate(got));
        details.put("expected", expected);
        details.put("method", ex.get().method());
        if (got.length() > MathEquivalence.MAX_ANSWER_CHARS) {
            return new Verdict(0.0, "answer too long (" + got.length() + " characters)", details);
        }
        MathEquivalence.Judgement j = equivalence.judge(expected, got);
        details.put("how", j.how());
        if (j.equivalent()) {
            return new Verdict(1.0, "correct", details);
        }
        String reason = j.how().equals("timeout") ? "comparison exceeded its time budget"
                : "wrong answer: got " + abbreviate(got) + ", expected " + expected;
        return new Verdict(0.0, reason, details);
    }

    /** The answer inside a reference: {@link AnswerExtractor#reference}. */
    static String referenceAnswer(String ref, int maxChars) {
        return AnswerExtractor.reference(ref, maxChars);
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
