package dev.r1j.verifiers.code;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import dev.r1j.verifiers.sandbox.Sandbox;
import dev.r1j.verifiers.sandbox.SandboxException;
import dev.r1j.verifiers.sandbox.SandboxRequest;
import dev.r1j.verifiers.sandbox.SandboxResult;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scores Python code against unit tests by running it in a {@link Sandbox}. Reference fields: {@code tests}
 * (a string, or a list of statements as in MBPP's {@code test_list}), {@code entry_point}, {@code prompt}
 * (HumanEval: put first when the code does not define the entry point), {@code language} (only python).
 * The code is the completion's last fenced python block, else the whole completion.
 *
 * <p>How a pass is decided: a trusted harness ({@code harness.py}, in the read-only input directory) gets a
 * random per-run nonce and the job on stdin, keeps the original stdout as a private report channel and
 * points fd 1 at stderr, compiles everything, then runs the program and each top-level test statement,
 * reporting each with the nonce and writing {@code END} only after the last statement. The verdict comes
 * only from nonce lines; exit codes and ordinary output are ignored. So {@code sys.exit(0)} (a caught
 * {@code SystemExit}: the program failed), {@code os._exit(0)} (no END), printing "PASSED", writing to
 * stdout/fd 1/fd 3, rebinding {@code AssertionError} or {@code __builtins__} (the {@code assert} statement
 * and the harness use the real objects, bound before the code ran), redefining {@code check} (the tests'
 * own definition comes later) all fail.
 *
 * <p>Residual risk, honestly: the tests run in the same interpreter as the code, so nothing in-process is
 * absolutely unforgeable. The harness makes itself non-dumpable and installs an irremovable audit hook
 * that refuses frame access (sys._getframe, traceback/generator frames), gc traversal, settrace/setprofile,
 * ctypes and /proc; the sandbox has an empty /proc. A way around those (an unaudited CPython path to the
 * harness frame or to raw memory) would expose the nonce. Independently of the nonce, the code can still
 * game tests semantically: return an object whose {@code __eq__} is always true, special-case the visible
 * test inputs, or read the test constants through {@code check.__code__} when it is called. Such reward
 * hacking needs a stricter comparison or hidden tests, not a sandbox.
 *
 * <pre>{@code
 * Verifier code = new CodeVerifier(CodeVerifierOptions.defaults());
 * Verdict v = code.verify(new Sample("", "```python\ndef add(a, b):\n    return a + b\n```",
 *         Map.of("tests", List.of("assert add(1, 2) == 3"))));
 * // v.reward() == 1.0
 * }</pre>
 */
public final class CodeVerifier implements Verifier {
    public static final String NAME = "code";
    private static final String HARNESS = loadHarness();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CodeVerifierOptions options;
    private final Sandbox sandbox;

    public CodeVerifier(CodeVerifierOptions options) {
        this(options, BubblewrapSandbox.createDefault());
    }

    public CodeVerifier(CodeVerifierOptions options, Sandbox sandbox) {
        this.options = options;
        this.sandbox = sandbox;
    }

    @Override
    public String name() {
        return NAME;
    }

    public CodeVerifierOptions options() {
        return options;
    }

    @Override
    public Verdict verify(Sample sample) {
        Map<String, Object> ref = sample.reference();
        Object language = ref.get("language");
        if (language != null && !language.toString().isBlank()
                && !List.of("python", "python3", "py").contains(language.toString().trim().toLowerCase(Locale.ROOT))) {
            return Verdict.error("language '" + language + "' is not supported by the code verifier (python only)");
        }
        PythonProgram program;
        try {
            program = PythonProgram.build(CodeExtractor.extract(sample.completion()), ref);
        } catch (IllegalArgumentException e) {
            return Verdict.error(e.getMessage());
        }
        PythonRuntime python;
        try {
            python = PythonRuntime.resolve(options.python());
        } catch (IllegalStateException e) {
            return Verdict.error(e.getMessage());
        }
        String nonce = newNonce();
        SandboxResult result;
        try {
            result = sandbox.run(request(program, python, nonce));
        } catch (SandboxException e) {
            return Verdict.error("sandbox: " + e.getMessage());
        }
        return judge(HarnessReport.parse(result.stdoutText(), nonce), result);
    }

    private SandboxRequest request(PythonProgram program, PythonRuntime python, String nonce) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("program", program.code());
        job.put("tests", program.tests());
        job.put("entry_point", program.entryPoint());
        job.put("unroll", options.partialCredit());
        byte[] stdin;
        try {
            stdin = (nonce + "\n" + JSON.writeValueAsString(job)).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>(List.of(python.executable().toString(), "-I", "-B"));
        if (!options.sitePackages()) {
            command.add("-S");
        }
        command.add(Sandbox.INPUT_DIR + "/harness.py");
        return new SandboxRequest(command,
                Map.of("harness.py", HARNESS.getBytes(StandardCharsets.UTF_8)), stdin,
                List.of(python.prefix()), Map.of("PYTHONIOENCODING", "utf-8"), options.limits());
    }

    private Verdict judge(HarnessReport rep, SandboxResult result) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("passed", rep.passed());
        d.put("total", rep.total());
        d.put("exit_code", result.exitCode());
        d.put("elapsed_ms", result.elapsed().toMillis());
        if (!rep.failures().isEmpty()) {
            d.put("failures", rep.failures().subList(0, Math.min(5, rep.failures().size())));
        }
        String stderr = result.stderrText();
        if (!stderr.isEmpty()) {
            d.put("stderr", stderr.length() > 1000 ? stderr.substring(stderr.length() - 1000) : stderr);
        }
        if (rep.harnessError() != null) {
            return new Verdict(0.0, "error: harness: " + rep.harnessError(), withError(d));
        }
        if (!rep.started()) {
            if (result.killed()) {
                return new Verdict(0.0, killReason(result) + " before the tests started", d);
            }
            return new Verdict(0.0, "error: the harness did not start (exit code " + result.exitCode() + ")", withError(d));
        }
        String status = rep.programStatus();
        if (status != null && status.startsWith("syntax")) {
            return new Verdict(0.0, "syntax error: " + status.substring("syntax ".length()), d);
        }
        if (status != null && status.startsWith("error")) {
            return new Verdict(0.0, "program raised " + status.substring("error ".length()), d);
        }
        if (rep.total() == 0) {
            return new Verdict(0.0, "error: the tests contain no assert or call statement", withError(d));
        }
        double fraction = (double) rep.passed() / rep.total();
        double partial = options.partialCredit() ? fraction : 0.0;
        if (!rep.finished()) {
            String why = result.killed() ? killReason(result)
                    : "exited before the tests finished (exit code " + result.exitCode() + ")";
            return new Verdict(partial, why + "; " + rep.passed() + "/" + rep.total() + " tests passed", d);
        }
        if (rep.allPassed()) {
            return new Verdict(1.0, "all " + rep.total() + " tests passed", d);
        }
        String first = rep.failures().isEmpty() ? "" : ": " + rep.failures().get(0);
        return new Verdict(partial, rep.passed() + "/" + rep.total() + " tests passed" + first, d);
    }

    private static Map<String, Object> withError(Map<String, Object> d) {
        d.put("error", true);
        return d;
    }

    private static String killReason(SandboxResult r) {
        return r.timedOut() ? "timeout" : "output limit exceeded";
    }

    private static String newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static String loadHarness() {
        try (InputStream in = CodeVerifier.class.getResourceAsStream("harness.py")) {
            if (in == null) {
                throw new IllegalStateException("harness.py missing from the verifiers jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
