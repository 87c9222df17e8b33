package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierProvider;

import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import dev.r1j.verifiers.sandbox.Sandbox;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Provides the {@code code} verifier (see {@link CodeVerifier}); options as in {@link CodeVerifierOptions#fromMap},
 * plus {@code java}: a map of {@link JavaCodeOptions} for rows with {@code language: java}.
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
        Map<String, Object> rest = new LinkedHashMap<>(options);
        Object java = rest.remove("java");
        if (java != null && !(java instanceof Map)) {
            throw new IllegalArgumentException("verifier 'code': option 'java' is " + java
                    + ", expected a map of code_java options (e.g. {heap_mb: 256})");
        }
        @SuppressWarnings("unchecked")
        JavaCodeOptions javaOptions = java == null ? JavaCodeOptions.defaults() : JavaCodeOptions.fromMap((Map<String, Object>) java);
        Sandbox sandbox = BubblewrapSandbox.createDefault();
        return new CodeVerifier(CodeVerifierOptions.fromMap(rest), sandbox, new JavaCodeVerifier(javaOptions, sandbox));
    }
}
