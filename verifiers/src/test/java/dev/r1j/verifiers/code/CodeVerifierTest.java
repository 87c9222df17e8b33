package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.sandbox.BubblewrapConfig;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Extraction, program building, options, verdicts and fail-closed behaviour. */
class CodeVerifierTest {
    private static final CodeVerifier VERIFIER = new CodeVerifier(CodeVerifierOptions.defaults());
    private static final Map<String, Object> ADD_TESTS = Map.of("tests",
            List.of("assert add(1, 2) == 3", "assert add(-1, 1) == 0", "assert add(2, 2) == 5"));

    @Test
    void extractsTheLastPythonOrUntaggedFence() {
        assertEquals("b = 2\n", CodeExtractor.extract("```python\na = 1\n```\ntext\n```\nb = 2\n```\n"));
        assertEquals("a = 1\n", CodeExtractor.extract("```py\na = 1\n```\n```bash\nls\n```\n"));
        assertEquals("x = 1\n", CodeExtractor.extract("intro\n```python\nx = 1\n"), "a truncated fence runs to the end");
        assertEquals("def f():\n    return 1", CodeExtractor.extract("def f():\n    return 1"));
    }

    @Test
    void buildsHumanEvalStylePrograms() {
        Map<String, Object> ref = Map.of("prompt", "def add(a, b):\n    \"\"\"adds\"\"\"\n", "tests", "def check(c): pass",
                "entry_point", "add");
        assertEquals("def add(a, b):\n    \"\"\"adds\"\"\"\n    return a + b\n",
                PythonProgram.build("    return a + b\n", ref).code());
        assertEquals("def add(x, y):\n    return x + y\n", PythonProgram.build("def add(x, y):\n    return x + y\n", ref).code(),
                "a program that defines the entry point gets no prompt");
        assertEquals("assert f(1)\nassert f(2)\n",
                PythonProgram.build("", Map.of("tests", List.of("assert f(1)", "assert f(2)"))).tests());
        assertThrows(IllegalArgumentException.class, () -> PythonProgram.build("", Map.of()));
        assertThrows(IllegalArgumentException.class, () -> PythonProgram.build("", Map.of("tests", "x", "entry_point", "a b")));
        assertThrows(IllegalArgumentException.class, () -> PythonProgram.build("", Map.of("tests", List.of(1))));
        assertTrue(PythonProgram.definesName("class add:\n  pass", "add"));
        assertTrue(PythonProgram.definesName("add = lambda a, b: a + b", "add"));
        assertFalse(PythonProgram.definesName("adder = 1\nx = add", "add"));
    }

    @Test
    void optionsAreParsedAndValidated() {
        CodeVerifierOptions o = CodeVerifierOptions.fromMap(Map.of("partial_credit", "true", "timeout_seconds", 3,
                "memory_mb", 512));
        assertTrue(o.partialCredit());
        assertEquals(3000, o.limits().wallClock().toMillis());
        assertEquals(512L << 20, o.limits().memoryBytes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CodeVerifierOptions.fromMap(Map.of("timeout", 3)));
        assertTrue(e.getMessage().contains("'timeout'"), e.getMessage());
        assertEquals("code", new CodeVerifierProvider().create(Map.of()).name());
        assertFalse(o.sitePackages());
        assertThrows(IllegalArgumentException.class, () -> CodeVerifierOptions.fromMap(Map.of("site_packages", "maybe")));
    }

    @Test
    void mbppStyleTestListAllOrNothingAndPartialCredit() {
        String wrong = "```python\ndef add(a, b):\n    return a + b\n```";
        Verdict strict = VERIFIER.verify(new Sample("", wrong, ADD_TESTS));
        assertEquals(0.0, strict.reward());
        assertEquals(2, strict.details().get("passed"));
        assertEquals(3, strict.details().get("total"));
        assertTrue(strict.reason().startsWith("2/3 tests passed"), strict.reason());
        CodeVerifier partial = new CodeVerifier(CodeVerifierOptions.defaults().withPartialCredit(true));
        assertEquals(2.0 / 3, partial.verify(new Sample("", wrong, ADD_TESTS)).reward(), 1e-12);
        Verdict right = VERIFIER.verify(new Sample("", "def add(a, b):\n    return 5 if a == 2 else a + b\n", ADD_TESTS));
        assertEquals(1.0, right.reward(), right.toString());
    }

    @Test
    void humanEvalCheckIsUnrolledForPartialCredit() {
        Map<String, Object> ref = Map.of("prompt", "def inc(x):\n", "entry_point", "inc", "tests",
                "def check(candidate):\n    assert candidate(1) == 2\n    for i in range(3):\n        assert candidate(i) == i + 1\n"
                        + "    assert candidate(10) == 12\n    assert candidate(0) == 1\n");
        CodeVerifier partial = new CodeVerifier(CodeVerifierOptions.defaults().withPartialCredit(true));
        Verdict v = partial.verify(new Sample("", "    return x + 1\n", ref));
        assertEquals(0.75, v.reward(), 1e-12, v.toString());
        assertEquals(0.0, VERIFIER.verify(new Sample("", "    return x + 1\n", ref)).reward());
    }

    @Test
    void syntaxErrorsAndRuntimeErrorsAreCleanFailures() {
        Verdict syntax = VERIFIER.verify(new Sample("", "def add(a, b) return a", ADD_TESTS));
        assertEquals(0.0, syntax.reward());
        assertTrue(syntax.reason().startsWith("syntax error"), syntax.reason());
        assertFalse(syntax.details().containsKey("error"));
        Verdict raised = VERIFIER.verify(new Sample("", "raise ValueError('boom')", ADD_TESTS));
        assertTrue(raised.reason().contains("ValueError: boom"), raised.reason());
    }

    @Test
    void sitePackagesOnlyWhenAskedFor() {
        // certifi is installed in this interpreter's site-packages, never in the standard library
        Map<String, Object> ref = Map.of("tests", List.of("import certifi", "assert certifi.where()"));
        CodeVerifier withSite = new CodeVerifier(new CodeVerifierOptions(false, "python3", true,
                CodeVerifierOptions.defaults().limits()));
        assertEquals(0.0, VERIFIER.verify(new Sample("", "x = 1", ref)).reward());
        assertEquals(1.0, withSite.verify(new Sample("", "x = 1", ref)).reward(), "certifi missing from site-packages?");
    }

    @Test
    void otherLanguagesAreAClearError() {
        Verdict v = VERIFIER.verify(new Sample("", "fn main() {}", Map.of("tests", "assert True", "language", "rust")));
        assertEquals(0.0, v.reward());
        assertEquals(Boolean.TRUE, v.details().get("error"));
        assertTrue(v.reason().contains("rust") && v.reason().contains("python or java"), v.reason());
    }

    @Test
    void failsClosedWithoutBwrap() {
        CodeVerifier broken = new CodeVerifier(CodeVerifierOptions.defaults(),
                new BubblewrapSandbox(BubblewrapConfig.defaults().withBwrap(Path.of("/nonexistent/bwrap"))));
        Verdict v = broken.verify(new Sample("", "def add(a, b):\n    return a + b\n",
                Map.of("tests", List.of("assert add(1, 2) == 3"))));
        assertEquals(0.0, v.reward());
        assertEquals(Boolean.TRUE, v.details().get("error"));
        assertTrue(v.reason().startsWith("error: sandbox"), v.reason());
    }

    @Test
    void failsClosedWhenTheInterpreterCannotStart() {
        CodeVerifier broken = new CodeVerifier(new CodeVerifierOptions(false, "/nonexistent/python3", false,
                CodeVerifierOptions.defaults().limits()));
        Verdict v = broken.verify(new Sample("", "x = 1", Map.of("tests", "assert x == 1")));
        assertEquals(0.0, v.reward());
        assertEquals(Boolean.TRUE, v.details().get("error"));
    }
}
