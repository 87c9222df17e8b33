package dev.r1j.verifiers.eval;

import java.util.Map;
import java.util.Objects;

/**
 * One benchmark problem: an id, the prompt text to give the model, and the reference fields a verifier reads
 * ({@code answer} for math; {@code tests}, {@code entry_point}, {@code prompt}, {@code language} for code).
 *
 * <pre>{@code
 * EvalProblem p = new EvalProblem("gsm8k_test/1", "Janet's ducks…", Map.of("answer", "18"));
 * Sample s = new Sample(p.prompt(), completion, p.reference());
 * }</pre>
 */
public record EvalProblem(String id, String prompt, Map<String, Object> reference) {
    public EvalProblem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(prompt, "prompt");
        reference = Map.copyOf(reference);
    }
}
