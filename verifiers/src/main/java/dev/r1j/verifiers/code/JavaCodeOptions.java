package dev.r1j.verifiers.code;

import dev.r1j.verifiers.VerifierOptions;
import dev.r1j.verifiers.sandbox.SandboxLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Options of the Java code verifier ({@code code_java}, or {@code code} with a row's {@code language: java}).
 *
 * <p>Memory is bounded twice: the JVM's heap by {@code -Xmx} ({@code heap_mb}, an OutOfMemoryError inside the code
 * fails its test), and the whole process by RLIMIT_AS ({@code memory_mb}). A JVM reserves far more address space
 * than it uses (heap, metaspace, code cache, thread stacks), so the address-space limit must be larger than for
 * Python; the harness pins the reservations ({@code -XX:MaxMetaspaceSize=128m}, {@code CompressedClassSpaceSize=64m},
 * {@code ReservedCodeCacheSize=64m}, {@code MaxDirectMemorySize=32m}, {@code -Xss1m}) so that heap + those + stacks
 * stay under it. The JVM's threads count against {@code max_processes}.
 *
 * <pre>{@code
 * JavaCodeOptions o = JavaCodeOptions.fromMap(Map.of("heap_mb", 128, "timeout_seconds", 30));
 * }</pre>
 *
 * @param partialCredit reward = fraction of tests passed; otherwise 1 only when all pass
 * @param javaHome      the JDK to run (must contain jdk.compiler); default this JVM's {@code java.home}
 * @param heapMb        the JVM's maximum heap, {@code -Xmx}
 * @param limits        sandbox limits (defaults: 30 s wall, 20 s CPU, 1536 MiB address space, 128 processes)
 */
public record JavaCodeOptions(boolean partialCredit, Path javaHome, int heapMb, SandboxLimits limits) {
    static final List<String> KEYS = List.of("partial_credit", "java_home", "heap_mb", "timeout_seconds", "cpu_seconds",
            "memory_mb", "max_processes", "max_output_bytes", "max_file_mb", "work_dir_mb", "max_open_files");
    /** Address space the JVM reserves beyond the heap with the harness's flags, measured: it fails to start below. */
    static final long NON_HEAP_RESERVE_MB = 700;

    public JavaCodeOptions {
        Objects.requireNonNull(javaHome, "javaHome");
        Objects.requireNonNull(limits, "limits");
        if (heapMb < 16) {
            throw new IllegalArgumentException("verifier 'code_java': heap_mb must be >= 16, got " + heapMb);
        }
        if ((limits.memoryBytes() >> 20) < heapMb + NON_HEAP_RESERVE_MB) {
            throw new IllegalArgumentException("verifier 'code_java': memory_mb (" + (limits.memoryBytes() >> 20)
                    + ") must be at least heap_mb + " + NON_HEAP_RESERVE_MB + " = " + (heapMb + NON_HEAP_RESERVE_MB)
                    + ": a JVM reserves address space for metaspace, code cache and thread stacks beyond its heap");
        }
    }

    static SandboxLimits defaultLimits() {
        return new SandboxLimits(Duration.ofSeconds(30), 20, 1536L << 20, 128, 1L << 20, 16L << 20, 64L << 20, 128);
    }

    public static JavaCodeOptions defaults() {
        return new JavaCodeOptions(false, Path.of(System.getProperty("java.home")), 256, defaultLimits());
    }

    public JavaCodeOptions withLimits(SandboxLimits l) {
        return new JavaCodeOptions(partialCredit, javaHome, heapMb, l);
    }

    /** Parses recipe options; an unknown key or ill-typed value is an IllegalArgumentException naming it. */
    public static JavaCodeOptions fromMap(Map<String, Object> options) {
        VerifierOptions o = VerifierOptions.of("code_java", options, KEYS.toArray(String[]::new));
        SandboxLimits d = defaultLimits();
        Map<String, Object> limits = new HashMap<>();
        limits.put("timeout_seconds", d.wallClock().toMillis() / 1000.0);
        limits.put("cpu_seconds", d.cpuSeconds());
        limits.put("memory_mb", d.memoryBytes() >> 20);
        limits.put("max_processes", d.maxProcesses());
        limits.put("max_open_files", d.maxOpenFiles());
        for (String k : KEYS) {
            if (options != null && options.get(k) != null) {
                limits.put(k, options.get(k));
            }
        }
        return new JavaCodeOptions(o.bool("partial_credit", false),
                Path.of(o.string("java_home", System.getProperty("java.home"))),
                (int) o.integer("heap_mb", 256, 16, 1 << 20), SandboxLimits.fromOptions(limits));
    }
}
