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
 * (HumanEval: put first when the code does not define the entry point), {@code language} (python, the default;
 * {@code java} hands the row to {@link JavaCodeVerifier}).
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
 * harness frame or to raw memory) would expose the nonce.
 *
 * <p>Comparisons: the harness rewrites the tests' {@code ==}, {@code !=}, ordering, {@code in} and
 * assertEqual-style calls into calls of a trusted judge (bound before the code runs, not reachable by name), which
 * never lets an object of a non-builtin type (an always-equal object, an int subclass with a lying {@code __eq__}, a
 * mock) equal a builtin expected value, and checks that what the code's functions return is built of builtin values
 * (see the module README). The code can still game tests semantically by special-casing the visible test inputs;
 * that needs hidden tests, not a sandbox.
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
    private static final String HARNESS = resource("harness.py");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final CodeVerifierOptions options;
    private final Sandbox sandbox;
    private final Verifier java;

    public CodeVerifier(CodeVerifierOptions options) {
        this(options, BubblewrapSandbox.createDefault());
    }

    public CodeVerifier(CodeVerifierOptions options, Sandbox sandbox) {
        this(options, sandbox, new JavaCodeVerifier(JavaCodeOptions.defaults(), sandbox));
    }

    /** @param java the verifier for rows with {@code language: java} (see {@link JavaCodeVerifier}) */
    public CodeVerifier(CodeVerifierOptions options, Sandbox sandbox, Verifier java) {
        this.options = options;
        this.sandbox = sandbox;
        this.java = java;
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
        if (language != null && JavaCodeVerifier.isJava(language.toString())) {
            return java.verify(sample);
        }
        if (language != null && !language.toString().isBlank()
                && !List.of("python", "python3", "py").contains(language.toString().trim().toLowerCase(Locale.ROOT))) {
            return Verdict.error("language '" + language + "' is not supported by the code verifier (python or java)");
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
        return HarnessJudge.judge(HarnessReport.parse(result.stdoutText(), nonce), result, options.partialCredit());
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

    static String newNonce() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** A text resource next to this class (harness sources). */
    static String resource(String name) {
        try (InputStream in = CodeVerifier.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " missing from the verifiers jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
