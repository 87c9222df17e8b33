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
}
