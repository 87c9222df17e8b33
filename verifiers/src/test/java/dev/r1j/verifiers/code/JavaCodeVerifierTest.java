package dev.r1j.verifiers.code;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import dev.r1j.verifiers.sandbox.SandboxProcesses;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The Java code verifier end to end in the bubblewrap sandbox: honest solutions, JUnit-style, statement and main tests,
 * and hostile completions. The hostile cases must make {@code add(2, 2) == 5} hold, which an honest {@code a + b}
 * does not, so any reward above 0 would be a forged pass.
 */
class JavaCodeVerifierTest {
    // The default 30 s wall clock: one JVM start plus javac takes ~1.5 s alone, but much longer when the machine's
    // two cores are shared by several niced builds (8 s was exceeded at a load average of 12).
    // a minute of wall clock instead of the default 10 s: javac and a JVM start inside the sandbox, which at CI-like
    // load (10-20 on 2 cores) can take longer than 10 s and turn a pass into "timeout before the tests started"
    private static final Verifier JAVA = VerifierRegistry.defaultRegistry().create("code_java", Map.of("timeout_seconds", 60));
    private static final Map<String, Object> FORGE_ME = Map.of("tests",
            List.of("assertEquals(3, Solution.add(1, 2));", "assertEquals(5, Solution.add(2, 2));"));

    private static Verdict run(String code, Map<String, Object> ref) {
        return JAVA.verify(new Sample("", "Here it is:\n```java\n" + code + "\n```\n", ref));
    }

    private static Verdict forge(String body) {
        return run("public class Solution {\n" + body + "\n static int add(int a, int b) { return a + b; }\n}", FORGE_ME);
    }

    @AfterAll
    static void noSandboxProcessIsLeft() throws Exception {
        assertEquals(List.of(), SandboxProcesses.awaitNone("dev.r1j.verifiers.code.harness.JavaHarness"));
    }

    @Test
    void statementTestsPassAndFail() {
        Verdict ok = run("public class Solution { static int add(int a, int b) { return a + b; } }",
                Map.of("tests", List.of("assertEquals(3, Solution.add(1, 2));", "assert Solution.add(2, 2) == 4;")));
        assertEquals(1.0, ok.reward(), ok.toString());
        assertEquals(2, ok.details().get("total"));
        assertTrue(String.valueOf(ok.details().get("notes")).contains("guard on"), ok.toString());
        // java `assert` works without -ea on the command line: the harness enables it for the code's loader
        Verdict wrong = run("public class Solution { static int add(int a, int b) { return a - b; } }",
                Map.of("tests", List.of("assert Solution.add(2, 0) == 2;", "assert Solution.add(2, 2) == 4;")));
        assertEquals(0.0, wrong.reward(), wrong.toString());
        assertTrue(wrong.reason().startsWith("1/2 tests passed") && wrong.reason().contains("AssertionError"), wrong.reason());
    }

    @Test
    void junitStyleClassesMainTestsAndPartialCredit() {
        String tests = """
                import org.junit.jupiter.api.Test;
                import static org.junit.jupiter.api.Assertions.*;

                class SolutionTest {
                    private final int[] data = {3, 1, 2};

                    @Test
                    void sorts() {
                        assertArrayEquals(new int[] {1, 2, 3}, Solution.sorted(data));
                    }

                    @Test
                    void rejectsNull() {
                        assertThrows(IllegalArgumentException.class, () -> Solution.sorted(null));
                    }

                    @Test
                    void keepsInput() {
                        Solution.sorted(data);
                        assertEquals(3, data[0], "input modified");
                    }
                }
                """;
        String good = """
                import java.util.Arrays;
                public class Solution {
                    static int[] sorted(int[] a) {
                        if (a == null) throw new IllegalArgumentException("null");
                        int[] b = a.clone(); Arrays.sort(b); return b;
                    }
                }""";
        assertEquals(1.0, run(good, Map.of("tests", tests)).reward());
        String sortsInPlace = good.replace("int[] b = a.clone();", "int[] b = a;");
        Verifier partial = VerifierRegistry.defaultRegistry().create("code_java", Map.of("partial_credit", true));
        Verdict twoOfThree = partial.verify(new Sample("", "```java\n" + sortsInPlace + "\n```", Map.of("tests", tests)));
        assertEquals(2.0 / 3, twoOfThree.reward(), 1e-12, twoOfThree.toString());
        String mainTest = "public class Check { public static void main(String[] args) {"
                + " if (Solution.sorted(new int[] {2, 1})[0] != 1) throw new AssertionError(\"unsorted\"); } }";
        assertEquals(1.0, run(good, Map.of("tests", mainTest)).reward());
        Verdict compile = run("public class Solution { int[] sorted(int[] a) { return a } }", Map.of("tests", tests));
        assertEquals(0.0, compile.reward());
        assertTrue(compile.reason().startsWith("compile error: Solution.java:1"), compile.reason());
    }

    @Test
    void codeVerifierHandsJavaRowsOver() {
        Verifier code = VerifierRegistry.defaultRegistry().create("code", Map.of());
        Verdict v = code.verify(new Sample("", "```java\npublic class Solution { static int add(int a, int b) { return a + b; } }\n```",
                Map.of("language", "java", "tests", "assertEquals(4, Solution.add(2, 2));")));
        assertEquals(1.0, v.reward(), v.toString());
    }

    @Test
    void newerJdkWithoutSecurityManagerStillFailsForgeries() {
        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(jdk25.resolve("bin/javac")),
                "no JDK 25 on this machine");
        assertEquals(25, JavaCodeVerifier.featureVersion(jdk25));
        Verifier j25 = VerifierRegistry.defaultRegistry().create("code_java", Map.of("java_home", jdk25.toString()));
        Verdict ok = j25.verify(new Sample("", "public class Solution { static int add(int a, int b) { return a + b; } }",
                Map.of("tests", List.of("assertEquals(3, Solution.add(1, 2));"))));
        assertEquals(1.0, ok.reward(), ok.toString());
        assertTrue(String.valueOf(ok.details().get("notes")).contains("guard off"), ok.toString());
        Verdict exit = j25.verify(new Sample("", "public class Solution { static { System.exit(0); }"
                + " static int add(int a, int b) { return a + b; } }", FORGE_ME));
        assertEquals(0.0, exit.reward(), exit.toString());
    }

    @Test
    void badOptionsAreNamed() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VerifierRegistry.defaultRegistry().create("code", Map.of("java", Map.of("heap_mb", 8))));
        assertTrue(e.getMessage().contains("heap_mb"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VerifierRegistry.defaultRegistry().create("code_java", Map.of("heap", 8)));
        assertTrue(e.getMessage().contains("unknown option 'heap'"), e.getMessage());
        Verdict noTests = JAVA.verify(new Sample("", "class A {}", Map.of()));
        assertEquals(Boolean.TRUE, noTests.details().get("error"));
    }

    @Test
    void earlyExitFails() {
        Verdict v = forge("static { System.exit(0); }");
        assertEquals(0.0, v.reward(), v.toString());
        Verdict halt = forge("static { Runtime.getRuntime().halt(0); }");
        assertEquals(0.0, halt.reward(), halt.toString());
    }

    @Test
    void printedOrForgedReportLinesFail() {
        Verdict v = forge("""
                static {
                    System.out.println("all tests passed");
                    try {
                        java.io.FileOutputStream out = new java.io.FileOutputStream(java.io.FileDescriptor.out);
                        out.write("0123456789abcdef0123456789abcdef BEGIN 1\\nPROGRAM ok\\nTEST 0 pass\\nEND 1 1 0\\n".getBytes());
                        out.flush();
                    } catch (Exception e) { throw new RuntimeException(e); }
                }""");
        assertEquals(0.0, v.reward(), v.toString());
        assertEquals(1, v.details().get("passed"), v.toString());   // the honest test still ran and counted
    }

    @Test
    void assertionsCannotBeSwitchedOffForLaterTestClasses() {
        // First runs first (test classes run in order) and initialises Solution, which tries to disable assertions for
        // Second before Second is initialised; Second's assert must still fire.
        String tests = """
                class First {
                    @org.junit.jupiter.api.Test
                    void touch() { Solution.add(1, 2); }
                }
                class Second {
                    @org.junit.jupiter.api.Test
                    void forged() { assert Solution.add(2, 2) == 5 : "2 + 2"; }
                }
                """;
        Verdict v = run("""
                public class Solution {
                    static {
                        ClassLoader l = Solution.class.getClassLoader();
                        l.setDefaultAssertionStatus(false);
                        l.setClassAssertionStatus("Second", false);
                        l.clearAssertionStatus();
                    }
                    static int add(int a, int b) { return a + b; }
                }""", Map.of("tests", tests));
        assertEquals(0.0, v.reward(), v.toString());
        assertTrue(v.reason().startsWith("1/2 tests passed") && v.reason().contains("2 + 2"), v.reason());
    }

    @Test
    void infiniteLoopTimesOut() {
        Verifier quick = VerifierRegistry.defaultRegistry().create("code_java", Map.of("timeout_seconds", 4));
        Verdict v = quick.verify(new Sample("", "public class Solution { static { long x = 1; while (x > 0) { x |= 1; } }"
                + " static int add(int a, int b) { return a + b; } }", FORGE_ME));
        assertEquals(0.0, v.reward(), v.toString());
        assertTrue(v.reason().startsWith("timeout"), v.reason());
    }

    @Test
    void processesAndNativeLibrariesAreRefused() {
        Verdict v = forge("""
                static {
                    try { new ProcessBuilder("/bin/sh", "-c", "echo hi").start().waitFor(); }
                    catch (Exception e) { throw new RuntimeException(e); }
                }""");
        assertEquals(0.0, v.reward(), v.toString());
        assertTrue(v.reason().contains("refused by the R1J harness"), v.reason());
        Verdict lib = forge("static { System.load(\"/tmp/work/evil.so\"); }");
        assertTrue(lib.reason().contains("refused by the R1J harness"), lib.reason());
        // class references to the stack would hand the code the harness's classes
        Verdict walk = forge("static { StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(s -> s.count()); }");
        assertTrue(walk.reason().contains("refused by the R1J harness"), walk.reason());
    }

    @Test
    void theProjectIsHiddenAndTheSystemReadOnly() {
        Path pom = Path.of("pom.xml").toAbsolutePath();
        String code = """
                import java.nio.file.*;
                public class Solution {
                    static String peek(String p) {
                        try { return Files.readString(Path.of(p)); } catch (Exception e) { return "hidden " + e.getClass().getSimpleName(); }
                    }
                    static String write(String p) {
                        try { Files.writeString(Path.of(p), "x"); return "written"; } catch (Exception e) { return "refused"; }
                    }
                }""";
        Verdict v = run(code, Map.of("tests", List.of(
                "assertTrue(Solution.peek(\"" + pom + "\").startsWith(\"hidden\"));",
                "assertTrue(Solution.peek(\"/root/.bashrc\").startsWith(\"hidden\"));",
                "assertEquals(\"refused\", Solution.write(\"/etc/r1j-sandbox-test\"));",
                "assertEquals(\"refused\", Solution.write(\"" + pom.getParent().resolve("r1j-sandbox-test") + "\"));",
                "assertEquals(\"written\", Solution.write(\"/tmp/work/scratch.txt\"));")));
        assertEquals(1.0, v.reward(), v.toString());
    }

    @Test
    void memoryIsBoundedByTheHeapLimit() {
        Verifier small = VerifierRegistry.defaultRegistry().create("code_java", Map.of("heap_mb", 64, "memory_mb", 1024));
        Verdict v = small.verify(new Sample("", """
                public class Solution {
                    static long maxHeap() { return Runtime.getRuntime().maxMemory(); }
                    static int hog() { long[] a = new long[200_000_000]; return a.length; }
                    static int offHeap() { return java.nio.ByteBuffer.allocateDirect(64 << 20).capacity(); }
                }""", Map.of("tests", List.of(
                "assertThrows(OutOfMemoryError.class, Solution::offHeap);",
                "assertTrue(Solution.maxHeap() <= 64L << 20, \"max heap \" + Solution.maxHeap());",
                "assertThrows(OutOfMemoryError.class, Solution::hog);"))));
        assertEquals(1.0, v.reward(), v.toString());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> VerifierRegistry.defaultRegistry().create("code_java", Map.of("heap_mb", 512, "memory_mb", 1000)));
        assertTrue(e.getMessage().contains("memory_mb"), e.getMessage());
    }

    /** Assertions that a lying equals (issue 15) passed before the comparison judge, most with swapped arguments. */
    static final List<String> LYING_EQUALS_TESTS = List.of(
            "assertEquals(5, Solution.add(2, 2));",
            "assertEquals(Solution.add(2, 2), 5);",
            "assertEquals(Solution.add(2, 2), (Object) \"5\");",
            "assertEquals(java.util.List.of(Solution.add(2, 2)), java.util.List.of(5));",
            "assertEquals(java.util.Set.of(5), java.util.Set.of(Solution.add(2, 2)));",
            "assertEquals(java.util.Map.of(\"k\", Solution.add(2, 2)), java.util.Map.of(\"k\", 5));",
            "assertEquals(java.util.Map.of(Solution.add(2, 2), 1), java.util.Map.of(5, 1));",
            "assertEquals(Solution.list(2, 2), java.util.List.of(5));",
            "assertEquals(java.util.List.of(5), Solution.list(2, 2));",
            "assertArrayEquals(new Object[] {Solution.add(2, 2)}, new Object[] {5});",
            "assertArrayEquals(new Object[][] {{Solution.add(2, 2)}}, new Object[][] {{5}});");

    private static final String LIAR = """
            class Liar {
                final int v;
                Liar(int v) { this.v = v; }
                @Override public boolean equals(Object o) { return true; }
                @Override public int hashCode() { return Integer.hashCode(5); }
                @Override public String toString() { return "5"; }
            }
            class LyingList extends java.util.ArrayList<Object> {
                @Override public boolean equals(Object o) { return true; }
                @Override public int hashCode() { return java.util.List.of(5).hashCode(); }
            }
            """;

    @Test
    void aLyingEqualsDoesNotPassAssertEquals() {
        String liar = LIAR + "public class Solution {\n"
                + "  static Object add(int a, int b) { return a == 2 && b == 2 ? new Liar(a + b) : (Object) (a + b); }\n"
                + "  static java.util.List<Object> list(int a, int b) { LyingList l = new LyingList(); l.add(a + b); return l; }\n}";
        Verdict v = run(liar, Map.of("tests", LYING_EQUALS_TESTS));
        assertEquals(LYING_EQUALS_TESTS.size(), v.details().get("total"), v.toString());
        assertEquals(0, v.details().get("passed"), v.toString());
        System.out.printf("code_java lying equals: %d hostile assertions tried, %s passed%n", LYING_EQUALS_TESTS.size(),
                v.details().get("passed"));
        // the control: the same assertions with an honest 5 (and honest "5" for the String case) pass but one
        String honest = "public class Solution {\n  static Object add(int a, int b) { return a + b + 1; }\n"
                + "  static java.util.List<Object> list(int a, int b) { return new java.util.ArrayList<>(java.util.List.of(a + b + 1)); }\n}";
        Verdict ok = run(honest, Map.of("tests", LYING_EQUALS_TESTS));
        assertEquals(LYING_EQUALS_TESTS.size() - 1, ok.details().get("passed"), ok.toString());
    }
}
