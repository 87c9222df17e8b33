package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierProvider;

import java.util.Map;

/**
 * Provides the {@code code} verifier (see {@link CodeVerifier}); options as in {@link CodeVerifierOptions#fromMap}.
 *
 * <pre>{@code
 * Verifier v = new CodeVerifierProvider().create(Map.of("partial_credit", true));
 * }</pre>
 */
public final class CodeVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return CodeVerifier.NAME;
    }

    @Override
    public String description() {
        return "runs the completion's Python code against the row's unit tests in a bubblewrap sandbox";
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        return new CodeVerifier(CodeVerifierOptions.fromMap(options));
    }
}
