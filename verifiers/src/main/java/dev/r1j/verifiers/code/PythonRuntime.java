package dev.r1j.verifiers.code;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The interpreter the sandbox runs: the real executable behind a command such as {@code python3} (a pyenv
 * shim is a shell script needing root's environment, so it is resolved once on the host) and the
 * installation prefix that must stay visible read-only inside the sandbox. Here that is pyenv's 3.11 under
 * /root/.pyenv/versions/X: the same interpreter the rest of the project uses; only that version directory is
 * bound back, not the rest of /root. With Debian's /usr/bin/python3 the prefix is /usr and nothing is bound.
 *
 * <pre>{@code
 * PythonRuntime py = PythonRuntime.resolve("python3");
 * // py.executable() = /root/.pyenv/versions/3.11.7/bin/python3, py.prefix() = /root/.pyenv/versions/3.11.7
 * }</pre>
 */
public record PythonRuntime(Path executable, Path prefix) {
    private static final Map<String, PythonRuntime> CACHE = new ConcurrentHashMap<>();

    /** Resolves (and caches) {@code command}; an interpreter that cannot be run is an IllegalStateException. */
    public static PythonRuntime resolve(String command) {
        return CACHE.computeIfAbsent(command, PythonRuntime::probe);
    }

    private static PythonRuntime probe(String command) {
        try {
            Process p = new ProcessBuilder(command, "-I", "-c",
                    "import os,sys;print(os.path.realpath(sys.executable));print(os.path.realpath(sys.base_prefix))")
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("python interpreter '" + command + "' failed: " + out.strip());
            }
            List<String> lines = out.strip().lines().toList();
            if (lines.size() < 2) {
                throw new IllegalStateException("python interpreter '" + command + "' gave no executable/prefix: " + out);
            }
            return new PythonRuntime(Path.of(lines.get(lines.size() - 2)), Path.of(lines.get(lines.size() - 1)));
        } catch (IOException e) {
            throw new IllegalStateException("python interpreter '" + command + "' not found: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing python '" + command + "'", e);
        }
    }
}
