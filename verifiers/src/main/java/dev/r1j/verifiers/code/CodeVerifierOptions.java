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
 * @param sitePackages  let the code import third-party packages from the interpreter's site-packages; off by
 *                      default ({@code python -S}): the benchmarks need only the standard library, and
 *                      skipping site (and the .pth start-up hooks installed there) halves the start-up time
 * @param limits        sandbox limits
 */
public record CodeVerifierOptions(boolean partialCredit, String python, boolean sitePackages, SandboxLimits limits) {
    static final Set<String> KEYS = Set.of("partial_credit", "python", "site_packages", "timeout_seconds", "cpu_seconds",
            "memory_mb", "max_processes", "max_output_bytes", "max_file_mb", "work_dir_mb", "max_open_files");

    public CodeVerifierOptions {
        Objects.requireNonNull(python, "python");
        Objects.requireNonNull(limits, "limits");
    }

    public static CodeVerifierOptions defaults() {
        return new CodeVerifierOptions(false, "python3", false, SandboxLimits.defaults());
    }

    public CodeVerifierOptions withLimits(SandboxLimits l) {
        return new CodeVerifierOptions(partialCredit, python, sitePackages, l);
    }

    public CodeVerifierOptions withPartialCredit(boolean p) {
        return new CodeVerifierOptions(p, python, sitePackages, limits);
    }

    /** Parses recipe options; an unknown key or ill-typed value is an IllegalArgumentException naming it. */
    public static CodeVerifierOptions fromMap(Map<String, Object> options) {
        for (String k : options.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown option '" + k + "' for verifier 'code'; known: "
                        + new java.util.TreeSet<>(KEYS));
            }
        }
        String python = options.getOrDefault("python", "python3").toString();
        return new CodeVerifierOptions(bool(options, "partial_credit"), python, bool(options, "site_packages"),
                SandboxLimits.fromOptions(options));
    }

    private static boolean bool(Map<String, Object> options, String key) {
        Object v = options.getOrDefault(key, false);
        if (v instanceof Boolean b) {
            return b;
        }
        if ("true".equalsIgnoreCase(v.toString()) || "false".equalsIgnoreCase(v.toString())) {
            return Boolean.parseBoolean(v.toString());
        }
        throw new IllegalArgumentException("option '" + key + "' must be true or false, got '" + v + "'");
    }
}
