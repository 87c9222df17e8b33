package dev.r1j.verifiers.eval;

/**
 * One scored completion of a benchmark problem.
 *
 * <pre>{@code
 * SampleResult s = new SampleResult("42", true, 187, false);
 * }</pre>
 *
 * @param answer    the extracted final answer (for maj@k), or null when none was found
 * @param correct   the verifier gave full credit
 * @param length    completion length in tokens (or characters, consistently within a report)
 * @param truncated the completion was cut at the generation limit
 */
public record SampleResult(String answer, boolean correct, int length, boolean truncated) {
    public SampleResult {
        if (length < 0) {
            throw new IllegalArgumentException("sample length must be >= 0, got " + length);
        }
    }

    /**
     * From a verifier's verdict: correct when the reward reaches 1 (full credit), the answer from the math verifier's
     * {@code extracted} detail (null when absent, e.g. for code; such samples do not vote in maj@k).
     *
     * <pre>{@code
     * SampleResult s = SampleResult.of(math.verify(sample), completion.tokenCount(), completion.truncated());
     * }</pre>
     */
    public static SampleResult of(dev.r1j.verifiers.Verdict verdict, int length, boolean truncated) {
        Object extracted = verdict.details().get("extracted");
        return new SampleResult(extracted == null ? null : extracted.toString(), verdict.reward() >= 1.0, length, truncated);
    }
}
