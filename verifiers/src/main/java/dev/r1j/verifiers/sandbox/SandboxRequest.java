package dev.r1j.verifiers.sandbox;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run in a sandbox.
 *
 * <pre>{@code
 * SandboxRequest req = new SandboxRequest(List.of("/usr/bin/python3", "-I", "/tmp/input/main.py"),
 *         Map.of("main.py", "print(1)".getBytes(UTF_8)), new byte[0], List.of(), Map.of(), SandboxLimits.defaults());
 * }</pre>
 *
 * @param command       the program and its arguments, as seen inside the sandbox
 * @param inputFiles    files (relative name → content) made visible read-only under {@link Sandbox#INPUT_DIR}
 * @param stdin         bytes written to the program's stdin, which is then closed
 * @param readOnlyBinds host paths that must stay visible read-only even if they lie under a hidden path
 *                      (e.g. an interpreter installed under /root)
 * @param env           the complete environment besides PATH, HOME, LANG, TMPDIR (the host's is cleared)
 * @param limits        resource limits
 */
public record SandboxRequest(List<String> command, Map<String, byte[]> inputFiles, byte[] stdin,
                             List<Path> readOnlyBinds, Map<String, String> env, SandboxLimits limits) {
    public SandboxRequest {
        command = List.copyOf(command);
        if (command.isEmpty()) {
            throw new IllegalArgumentException("sandbox command is empty");
        }
        inputFiles = Map.copyOf(new LinkedHashMap<>(inputFiles == null ? Map.of() : inputFiles));
        for (String name : inputFiles.keySet()) {
            if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
                throw new IllegalArgumentException("sandbox input file name must be a plain name, got '" + name + "'");
            }
        }
        stdin = stdin == null ? new byte[0] : stdin;
        readOnlyBinds = readOnlyBinds == null ? List.of() : List.copyOf(readOnlyBinds);
        env = env == null ? Map.of() : Map.copyOf(env);
        Objects.requireNonNull(limits, "limits");
    }

    /** A request with only a command and limits. */
    public static SandboxRequest of(List<String> command, SandboxLimits limits) {
        return new SandboxRequest(command, Map.of(), new byte[0], List.of(), Map.of(), limits);
    }
}
