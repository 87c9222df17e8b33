package dev.r1j.verifiers.code;

import dev.r1j.verifiers.sandbox.SandboxLimits;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Options of the {@code code} verifier.
 *
 * <pre>{@code
 * CodeVerifierOptions o = CodeVerifierOptions.fromMap(Map.of("partial_credit", true, "timeout_seconds", 5));
 * }</pre>
 *
 * @param partialCredit reward = fraction of test statements passed (HumanEval's check body is run statement
 *                      by statement); otherwise 1 only when all pass
 * @param python        the interpreter command, resolved on the host by {@link PythonRuntime}
 * @param limits        sandbox limits
 */
public record CodeVerifierOptions(boolean partialCredit, String python, SandboxLimits limits) {
    private static final Set<String> KEYS = Set.of("partial_credit", "python", "timeout_seconds", "cpu_seconds",
            "memory_mb", "max_processes", "max_output_bytes", "max_file_mb", "work_dir_mb", "max_open_files");

    public CodeVerifierOptions {
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(limits, "limits");
    }

    public static CodeVerifierOptions defaults() {
        return new CodeVerifierOptions(false, "python3", SandboxLimits.defaults());
    }

    public CodeVerifierOptions withLimits(SandboxLimits l) {
        return new CodeVerifierOptions(partialCredit, python, l);
    }

    public CodeVerifierOptions withPartialCredit(boolean p) {
        return new CodeVerifierOptions(p, python, limits);
    }

    /** Parses recipe options; an unknown key or ill-typed value is an IllegalArgumentException naming it. */
    public static CodeVerifierOptions fromMap(Map<String, Object> options) {
        for (String k : options.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "' for verifier 'code'; known: "
                        + new java.util.TreeSet<>(KEYS));
            }
        }
        Object pc = options.getOrDefault("partial_credit", false);
        boolean partial;
        if (pc instanceof Boolean b) {
            partial = b;
        } else if ("true".equalsIgnoreCase(pc.toString()) || "false".equalsIgnoreCase(pc.toString())) {
            partial = Boolean.parseBoolean(pc.toString());
        } else {
            throw new IllegalArgumentException("option 'partial_credit' must be true or false, got '" + pc + "'");
        }
        String python = options.getOrDefault("python", "python3").toString();
        return new CodeVerifierOptions(partial, python, SandboxLimits.fromOptions(options));
    }
}
