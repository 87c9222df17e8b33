package dev.r1j.env;

import dev.r1j.verifiers.code.CodeVerifierOptions;
import dev.r1j.verifiers.code.PythonRuntime;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import dev.r1j.verifiers.sandbox.Sandbox;
import dev.r1j.verifiers.sandbox.SandboxException;
import dev.r1j.verifiers.sandbox.SandboxRequest;
import dev.r1j.verifiers.sandbox.SandboxResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code python} tool: runs the call's {@code code} as a script in the code verifier's {@link Sandbox}
 * (bubblewrap: no network, read-only root, unprivileged uid, rlimits, the wall clock at {@code timeout_s} unless the
 * options set {@code timeout_seconds}). Fail-closed: when the sandbox cannot start, the call is an error and nothing
 * runs outside it. Output: stdout; when the script fails, the last lines of stderr (the traceback) follow.
 *
 * <pre>{@code
 * Environment py = EnvironmentRegistry.defaultRegistry().create(EnvironmentConfig.of("python"));
 * py.respond(new ToolCall("python", Map.of("code", "print(2**100)")), Conversation.start(""));
 * // Observation "1267650600228229401496703205376\n"
 * }</pre>
 */
public final class PythonEnvironment implements Environment {
    public static final String NAME = "python";
    static final int TRACEBACK_LINES = 6;

    private final Sandbox sandbox;
    private final CodeVerifierOptions options;

    /** @param options the interpreter, site-packages and sandbox limits (the code verifier's options) */
    public PythonEnvironment(Sandbox sandbox, CodeVerifierOptions options) {
        this.sandbox = sandbox;
        this.options = options;
    }

    @Override
    public List<String> tools() {
        return List.of(NAME);
    }

    @Override
    public Observation respond(ToolCall call, Conversation conversation) {
        Object c = call.arguments().get(ToolCallFormat.CODE_ARGUMENT);
        if (!(c instanceof String code)) return Observation.error("python needs a string argument 'code'");
        PythonRuntime python;
        try {
            python = PythonRuntime.resolve(options.python());
        } catch (IllegalStateException e) {
            return Observation.error(e.getMessage());
        }
        List<String> command = new ArrayList<>(List.of(python.executable().toString(), "-I", "-B"));
        if (!options.sitePackages()) command.add("-S");
        command.add(Sandbox.INPUT_DIR + "/main.py");
        SandboxRequest request = new SandboxRequest(command, Map.of("main.py", code.getBytes(StandardCharsets.UTF_8)),
                new byte[0], List.of(python.prefix()), Map.of("PYTHONIOENCODING", "utf-8"), options.limits());
        SandboxResult r;
        try {
            r = sandbox.run(request);
        } catch (SandboxException e) {
            return Observation.error("sandbox unavailable, the code did not run: " + e.getMessage());
        }
        if (r.timedOut()) {
            return new Observation(r.stdoutText() + "Error: timed out after "
                    + options.limits().wallClock().toMillis() / 1000.0 + " s", Observation.Status.TIMEOUT, 0, false);
        }
        if (r.outputLimitExceeded()) return Observation.error("output limit exceeded; the program was killed");
        if (r.exitCode() != 0) {
            List<String> lines = r.stderrText().strip().lines().toList();
            String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - TRACEBACK_LINES), lines.size()));
            return new Observation(r.stdoutText() + (tail.isEmpty() ? "Error: exit code " + r.exitCode() : tail),
                    Observation.Status.ERROR, 0, false);
        }
        return Observation.of(r.stdoutText());
    }

    /** Provides {@code python}; options are the code verifier's ({@code python}, {@code memory_mb}, ...). */
    public static final class Provider implements EnvironmentProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public String description() {
            return "runs Python code in the bubblewrap sandbox (no network, resource limits)";
        }

        @Override
        public Environment create(EnvironmentConfig config) {
            CodeVerifierOptions o = CodeVerifierOptions.fromMap(config.options());
            if (!config.options().containsKey("timeout_seconds")) o = o.withLimits(o.limits().withWallClock(config.timeout()));
            return new PythonEnvironment(BubblewrapSandbox.createDefault(), o);
        }
    }
}
