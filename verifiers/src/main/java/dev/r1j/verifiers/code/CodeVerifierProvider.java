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
    public java.util.List<dev.r1j.verifiers.VerifierOption> options() {
        java.util.List<dev.r1j.verifiers.VerifierOption> o = new java.util.ArrayList<>(java.util.List.of(
                new dev.r1j.verifiers.VerifierOption("partial_credit", "false",
                        "reward = share of test statements passed (else 1 only when all pass)"),
                new dev.r1j.verifiers.VerifierOption("python", "python3", "the interpreter"),
                new dev.r1j.verifiers.VerifierOption("site_packages", "false",
                        "let the code import third-party packages of the interpreter"),
                new dev.r1j.verifiers.VerifierOption("java", "{}", "code_java's options, for rows whose tests are Java")));
        o.addAll(dev.r1j.verifiers.sandbox.SandboxLimits.options(dev.r1j.verifiers.sandbox.SandboxLimits.defaults()));
        return o;
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
