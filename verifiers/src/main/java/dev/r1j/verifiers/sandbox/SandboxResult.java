package dev.r1j.verifiers.sandbox;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The outcome of one sandboxed run. {@code exitCode} is the command's exit status as reported by the
 * sandbox launcher (128+signal when killed by a signal, -1 when the JVM killed the tree).
 *
 * @param stdoutTruncated     more than {@link SandboxLimits#maxOutputBytes()} was written to stdout
 * @param timedOut            the wall-clock limit was hit and the tree was killed
 * @param outputLimitExceeded stdout or stderr overflowed and the tree was killed
 */
public record SandboxResult(int exitCode, byte[] stdout, byte[] stderr, boolean stdoutTruncated,
                            boolean stderrTruncated, boolean timedOut, boolean outputLimitExceeded,
                            Duration elapsed) {

    public String stdoutText() {
        return new String(stdout, StandardCharsets.UTF_8);
    }

    public String stderrText() {
        return new String(stderr, StandardCharsets.UTF_8);
    }

    /** True when the JVM had to kill the run (timeout or output overflow). */
    public boolean killed() {
        return timedOut || outputLimitExceeded;
    }
}
