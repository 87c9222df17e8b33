package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierProvider;
import java.util.Map;

/**
 * Provides {@code code_java} (see {@link JavaCodeVerifier}); options as in {@link JavaCodeOptions#fromMap}.
 *
 * <pre>{@code
 * Verifier v = new JavaCodeVerifierProvider().create(Map.of("heap_mb", 128));
 * }</pre>
 */
public final class JavaCodeVerifierProvider implements VerifierProvider {
    @Override
    public String name() {
        return JavaCodeVerifier.NAME;
    }

    @Override
    public String description() {
        return "compiles the completion's Java code and runs the row's @Test methods or statements in a bubblewrap sandbox";
    }

    @Override
    public java.util.List<dev.r1j.verifiers.VerifierOption> options() {
        java.util.List<dev.r1j.verifiers.VerifierOption> o = new java.util.ArrayList<>(java.util.List.of(
                new dev.r1j.verifiers.VerifierOption("partial_credit", "false",
                        "reward = share of tests passed (else 1 only when all pass)"),
                new dev.r1j.verifiers.VerifierOption("java_home", "this JVM's java.home", "the JDK that compiles and runs"),
                new dev.r1j.verifiers.VerifierOption("heap_mb", "256", "the JVM's -Xmx, MiB")));
        o.addAll(dev.r1j.verifiers.sandbox.SandboxLimits.options(JavaCodeOptions.defaultLimits()));
        return o;
    }

    @Override
    public Verifier create(Map<String, Object> options) {
        return new JavaCodeVerifier(JavaCodeOptions.fromMap(options));
    }
}
