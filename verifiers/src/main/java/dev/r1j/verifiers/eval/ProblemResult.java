package dev.r1j.verifiers.eval;

import java.util.List;
import java.util.Objects;

/**
 * All scored samples of one benchmark problem, in sampling order (maj@k votes over the first k).
 *
 * <pre>{@code
 * ProblemResult p = new ProblemResult("gsm8k/17", List.of(new SampleResult("42", true, 120, false)));
 * }</pre>
 */
public record ProblemResult(String id, List<SampleResult> samples) {
    public ProblemResult {
        Objects.requireNonNull(id, "id");
        samples = List.copyOf(samples);
        if (samples.isEmpty()) {
            throw new IllegalArgumentException("problem " + id + " has no samples");
        }
    }

    public int n() {
        return samples.size();
    }

    public int correct() {
        return (int) samples.stream().filter(SampleResult::correct).count();
    }
}
