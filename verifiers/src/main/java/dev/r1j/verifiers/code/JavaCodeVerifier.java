package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import dev.r1j.verifiers.sandbox.Sandbox;
import dev.r1j.verifiers.sandbox.SandboxException;
import dev.r1j.verifiers.sandbox.SandboxRequest;
import dev.r1j.verifiers.sandbox.SandboxResult;
import dev.r1j.verifiers.code.harness.JavaHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Scores Java code against unit tests in the same {@link Sandbox} and under the same kind of limits as the Python
 * {@link CodeVerifier} (found as {@code code_java}, and used by {@code code} for rows with {@code language: java}).
 * The sources and tests are described in {@link JavaProgram}; options in {@link JavaCodeOptions}.
 *
 * <p>One JVM runs per verification, inside the sandbox: a trusted harness ({@link JavaHarness}, its class files copied
 * into a jar in the sandbox's read-only input directory) compiles the code and the tests in-process with javax.tools, then runs each test
 * and reports on its original stdout with a random per-run nonce it read from stdin; it writes {@code END} only
 * after the last test. The verdict comes only from nonce lines, exactly as for Python ({@code HarnessJudge}), so
 * {@code System.exit(0)} before the tests end (no END), printing "passed" or fake report lines (no nonce), an
 * infinite loop (wall-clock kill, no END) and a crash all fail. Hardening of the JVM: {@code --limit-modules
 * java.base,jdk.compiler} (no {@code sun.misc.Unsafe}, attach API, management beans or heap dumps), the nonce only in
 * locals of the harness's main, the code loaded by its own class loader whose parent is the platform loader, and on
 * JDK 17–23 a security manager that refuses process creation, native libraries, class-reference stack walking and
 * exit whenever a frame of the code is on the stack (the verdict's {@code notes} say {@code guard on} or {@code off}).
 *
 * <p>Residual risk, honestly: as in Python, the tests share the JVM with the code. The stack-based guard is best
 * effort (a JDK-internal thread calling back into a JDK-made proxy has no code frame on its stack), and without it
 * (JDK 24+) a child process of the same uid could ptrace the JVM, since a JVM cannot mark itself non-dumpable. The
 * code can also game the tests semantically (an {@code equals} that is always true, special-casing visible inputs,
 * changing the tests' static data by reflection); that needs stricter tests, not a sandbox.
 *
 * <pre>{@code
 * Verifier java = new JavaCodeVerifier(JavaCodeOptions.defaults());
 * Verdict v = java.verify(new Sample("", "```java\npublic class Solution { static int add(int a, int b) { return a + b; } }\n```",
 *         Map.of("tests", List.of("assertEquals(3, Solution.add(1, 2));"))));
 * // v.reward() == 1.0
 * }</pre>
 */
public final class JavaCodeVerifier implements Verifier {
    public static final String NAME = "code_java";
    private static final byte[] HARNESS_JAR = harnessJar();
    private static final Map<String, String> SHIMS = Map.of(
            "org/junit/jupiter/api/Test.java", CodeVerifier.resource("java/Test.java.txt"),
            "org/junit/jupiter/api/Assertions.java", CodeVerifier.resource("java/Assertions.java.txt"));

    private final JavaCodeOptions options;
    private final Sandbox sandbox;

    public JavaCodeVerifier(JavaCodeOptions options) {
        this(options, BubblewrapSandbox.createDefault());
    }

    public JavaCodeVerifier(JavaCodeOptions options, Sandbox sandbox) {
        this.options = options;
        this.sandbox = sandbox;
    }

    /** Whether a row's {@code language} names Java. */
    public static boolean isJava(String language) {
        return language.trim().toLowerCase(Locale.ROOT).equals("java");
    }

    @Override
    public String name() {
        return NAME;
    }

    public JavaCodeOptions options() {
        return options;
    }

    @Override
    public Verdict verify(Sample sample) {
        Object language = sample.reference().get("language");
        if (language != null && !language.toString().isBlank() && !isJava(language.toString())) {
            return Verdict.error("language '" + language + "' is not Java; use the 'code' verifier");
        }
        JavaProgram program;
        try {
            program = JavaProgram.build(CodeExtractor.extract(sample.completion(), JavaProgram.FENCE_TAGS), sample.reference());
        } catch (IllegalArgumentException e) {
            return Verdict.error(e.getMessage());
        }
        Path home;
        try {
            home = javaHome(options.javaHome());
        } catch (IllegalStateException e) {
            return Verdict.error(e.getMessage());
        }
        String nonce = CodeVerifier.newNonce();
        SandboxResult result;
        try {
            result = sandbox.run(request(program, home, nonce));
        } catch (SandboxException e) {
            return Verdict.error("sandbox: " + e.getMessage());
        }
        return HarnessJudge.judge(HarnessReport.parse(result.stdoutText(), nonce), result, options.partialCredit());
    }

    /** A jar of the harness's class files, copied from this library's own classes (it needs nothing but the JDK). */
    private static byte[] harnessJar() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<Class<?>> classes = new ArrayList<>(List.of(JavaHarness.class));
        classes.addAll(List.of(JavaHarness.class.getDeclaredClasses()));
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            for (Class<?> c : classes) {
                String entry = c.getName().replace('.', '/') + ".class";
                try (InputStream in = JavaHarness.class.getClassLoader().getResourceAsStream(entry)) {
                    if (in == null) {
                        throw new IllegalStateException(entry + " missing from the verifiers jar");
                    }
                    jar.putNextEntry(new JarEntry(entry));
                    in.transferTo(jar);
                    jar.closeEntry();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The JDK's feature version from its {@code release} file ({@code JAVA_VERSION="17.0.15"} → 17); 17 if unknown. */
    static int featureVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: assume the oldest supported JDK
        }
        return 17;
    }

    /** The real JDK directory; one without javac cannot compile the code. */
    static Path javaHome(Path configured) {
        try {
            Path home = configured.toRealPath();
            if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isExecutable(home.resolve("bin/javac"))) {
                throw new IllegalStateException("java_home " + configured + " is not a JDK (needs bin/java and bin/javac)");
            }
            return home;
        } catch (IOException e) {
            throw new IllegalStateException("java_home " + configured + " not found: " + e.getMessage(), e);
        }
    }

    private SandboxRequest request(JavaProgram program, Path home, String nonce) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        StringBuilder job = new StringBuilder();
        int i = 0;
        Map<String, String> all = new LinkedHashMap<>(SHIMS);
        all.putAll(program.sources());   // a code file at a shim's path replaces the shim
        for (Map.Entry<String, String> src : all.entrySet()) {
            String file = "u" + (i++) + ".java";
            files.put(file, src.getValue().getBytes(StandardCharsets.UTF_8));
            job.append("source ").append(file).append(' ').append(src.getKey()).append('\n');
        }
        for (String t : program.testClasses()) {
            job.append("test ").append(t).append('\n');
        }
        files.put("job.txt", job.toString().getBytes(StandardCharsets.UTF_8));
        files.put("harness.jar", HARNESS_JAR);
        List<String> command = new ArrayList<>(List.of(home.resolve("bin/java").toString(),
                "-Xmx" + options.heapMb() + "m", "-Xss1m", "-XX:MaxMetaspaceSize=128m", "-XX:CompressedClassSpaceSize=64m",
                "-XX:ReservedCodeCacheSize=64m", "-XX:MaxDirectMemorySize=32m",
                // one compiler thread, C1 only, serial GC: a short run needs no more, and each thread counts
                // against the process limit and the CPU-time limit
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:-UsePerfData",
                "-XX:+DisableAttachMechanism", "-Xshare:auto",
                "-Djava.io.tmpdir=" + Sandbox.WORK_DIR, "-Dfile.encoding=UTF-8",
                "--limit-modules", "java.base,jdk.compiler",
                "-cp", Sandbox.INPUT_DIR + "/harness.jar", JavaHarness.class.getName()));
        if (featureVersion(home) < 24) {
            // lets the harness install its guard; JDK 24+ refuses to start with this flag (no security manager there)
            command.add(1, "-Djava.security.manager=allow");
        }
        byte[] stdin = (nonce + "\n").getBytes(StandardCharsets.US_ASCII);
        // The launcher finds libjli through $ORIGIN, which needs /proc; the sandbox's /proc is empty.
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", home.resolve("lib").toString());
        return new SandboxRequest(command, files, stdin, List.of(home), env, options.limits());
    }
}
