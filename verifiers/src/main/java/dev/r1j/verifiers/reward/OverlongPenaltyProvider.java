package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.VerifierProvider;
import java.util.List;
import java.util.Map;

/**
 * Provider {@code "overlong"} (see {@link OverlongPenaltyVerifier}). Options: {@code max_length} (default 1024; set
 * it to the sampler's {@code max_new_tokens}), {@code buffer} (default 256, DAPO's cache length), {@code penalty}
 * (default 1.0).
 *
 * <pre>{@code
 * Verifier v = registry.create("overlong", Map.of("max_length", 4096, "buffer", 512));
 * }</pre>
 */
public final class OverlongPenaltyProvider implements VerifierProvider {
    @Override
    public String name() {
        return "overlong";
    }

    @Override
    public String description() {
        return "DAPO's soft overlong punishment: 0 up to max_length − buffer, then linear down to −penalty";
    }

    @Override
    public List<VerifierOption> options() {
        return List.of(
                new VerifierOption("max_length", "1024", "the completion length limit, in tokens"),
                new VerifierOption("buffer", "min(256, max_length)", "the soft zone before max_length where the penalty grows linearly"),
                new VerifierOption("penalty", "1.0", "the penalty at max_length (>= 0)"));
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of(this, options);
        int max = (int) o.integer("max_length", 1024, 1, Integer.MAX_VALUE);
        int buffer = (int) o.integer("buffer", Math.min(256, max), 0, max);
        return new OverlongPenaltyVerifier(max, buffer, o.number("penalty", 1.0, 0.0, 1e9));
    }
}
