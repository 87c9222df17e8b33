package dev.r1j.verifiers;

/**
 * Scores one completion. Implementations must be thread-safe: the trainer and {@code recipe verify}
 * call {@link #verify} from several threads at once.
 *
 * <pre>{@code
 * Verifier math = VerifierRegistry.defaultRegistry().create("math", Map.of());
 * Verdict v = math.verify(new Sample("1+1?", "... \\boxed{2}", Map.of("answer", "2")));
 * assert v.reward() == 1.0;
 * }</pre>
 */
public interface Verifier {
    /** The name recipes use for this verifier, e.g. {@code "math"}. */
    String name();

    /** Scores the sample; never throws for bad model output (that is a verdict with reward 0). */
    Verdict verify(Sample sample);
}
