package dev.r1j.verifiers.sandbox;

/**
 * Runs an untrusted command isolated from the machine: a fresh, size-limited work directory (the current
 * directory, removed afterwards), read-only inputs, no network, a read-only root with sensitive paths hidden,
 * a cleared environment, an unprivileged uid and resource limits; the whole process tree is killed when the
 * run ends. Implementations are thread-safe.
 *
 * <pre>{@code
 * Sandbox sb = BubblewrapSandbox.createDefault();
 * SandboxResult r = sb.run(SandboxRequest.of(List.of("/bin/sh", "-c", "echo hi"), SandboxLimits.defaults()));
 * assert r.stdoutText().equals("hi\n");
 * }</pre>
 */
public interface Sandbox {
    /** Where {@link SandboxRequest#inputFiles()} appear, read-only, inside the sandbox. */
    String INPUT_DIR = "/tmp/input";

    /** The writable work directory inside the sandbox (a tmpfs; also HOME and TMPDIR). */
    String WORK_DIR = "/tmp/work";

    /**
     * Runs the request and waits for it (at most the wall-clock limit plus a short grace period).
     *
     * @throws SandboxException when the sandbox cannot be set up or started (fail closed)
     */
    SandboxResult run(SandboxRequest request);
}
