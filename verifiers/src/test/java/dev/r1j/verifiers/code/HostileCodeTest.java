package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.sandbox.SandboxLimits;
import dev.r1j.verifiers.sandbox.SandboxProcesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile completions through the whole code verifier. The tests of every case ask for a function the
 * completion does NOT implement correctly (add(2, 2) == 5 would need a real special case), so any reward
 * above 0 would be a forged pass. After each case: no sandbox process is left, the JVM is alive, and a
 * correct completion still passes.
 */
class HostileCodeTest {
    private static final String HARNESS_MARK = "/tmp/input/harness.py";
    private static final CodeVerifier VERIFIER = new CodeVerifier(CodeVerifierOptions.defaults()
            .withLimits(SandboxLimits.defaults().withWallClock(Duration.ofSeconds(3)).withCpuSeconds(2)));
    private static final Map<String, Object> TESTS = Map.of("tests",
            List.of("assert add(1, 2) == 3", "assert add(2, 2) == 5"));

    private static Verdict run(String code) {
        return VERIFIER.verify(new Sample("", "```python\n" + code + "\n```", TESTS));
    }

    private static void assertForgeryFails(String code) {
        Verdict v = run("def add(a, b):\n    return a + b\n" + code);
        assertEquals(0.0, v.reward(), "forged a pass: " + v);
    }

    @AfterEach
    void machineIsUnharmed() throws Exception {
        assertEquals(List.of(), SandboxProcesses.awaitNone(HARNESS_MARK), "sandbox processes outlived the run");
        assertTrue(ProcessHandle.current().isAlive());
        Verdict ok = run("def add(a, b):\n    return 5 if (a, b) == (2, 2) else a + b\n");
        assertEquals(1.0, ok.reward(), "the verifier no longer works: " + ok);
    }

    @Test
    void forkBomb() {
        Verdict v = run("import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n");
        assertEquals(0.0, v.reward(), v.toString());
    }

    @Test
    void infiniteLoopAndIgnoredSigterm() {
        long t0 = System.nanoTime();
        Verdict v = run("import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
                + "def add(a, b):\n    while True:\n        pass\n");
        assertEquals(0.0, v.reward());
        assertTrue((System.nanoTime() - t0) / 1e9 < 8);
        Verdict sleeper = run("import time\ndef add(a, b):\n    time.sleep(100)\n");
        assertEquals("timeout; 0/2 tests passed", sleeper.reason());
    }

    @Test
    void memoryBomb() {
        CodeVerifier small = new CodeVerifier(VERIFIER.options().withLimits(SandboxLimits.defaults()
                .withMemoryBytes(256L << 20).withWallClock(Duration.ofSeconds(6))));
        Verdict v = small.verify(new Sample("", "x = []\nwhile True:\n    x.append(bytearray(20_000_000))\n", TESTS));
        assertEquals(0.0, v.reward());
        assertTrue(v.reason().contains("MemoryError"), v.reason());
    }

    @Test
    void gigabyteOfOutput() {
        long t0 = System.nanoTime();
        Verdict v = run("import os, sys\nfor _ in range(1000):\n    sys.stdout.write('PASSED ' * 150000)\n"
                + "    os.write(2, b'x' * 1000000)\n");
        assertEquals(0.0, v.reward());
        assertTrue(v.reason().startsWith("output limit exceeded"), v.reason());
        assertTrue((System.nanoTime() - t0) / 1e9 < 5);
    }

    @Test
    void readingASecretOutsideTheWorkDir() throws Exception {
        String secret = "s3cret" + UUID.randomUUID().toString().replace("-", "");
        Path inProject = Files.createTempFile(Path.of(System.getProperty("user.dir"), "target"), "secret", ".txt");
        Path inRoot = Path.of("/root", "r1j-secret-" + UUID.randomUUID());
        try {
            for (Path p : List.of(inProject, inRoot)) {
                Files.writeString(p, secret);
                p.toFile().setReadable(true, false);
            }
            for (Path p : List.of(inProject, inRoot)) {
                Verdict v = VERIFIER.verify(new Sample("", "def leak():\n    return open('" + p + "').read()\n",
                        Map.of("tests", List.of("assert leak() == '" + secret + "'"))));
                assertEquals(0.0, v.reward(), "read " + p + ": " + v);
                assertTrue(v.reason().contains("No such file"), v.reason());
            }
        } finally {
            Files.deleteIfExists(inProject);
            Files.deleteIfExists(inRoot);
        }
    }

    @Test
    void writingOrDeletingOutsideTheWorkDir() throws Exception {
        Path victim = Files.createTempFile(Path.of(System.getProperty("user.dir"), "target"), "victim", ".txt");
        Files.writeString(victim, "original");
        victim.toFile().setWritable(true, false);
        String name = "r1j-outside-" + UUID.randomUUID();
        try {
            Verdict v = run("import os\nfor p in ['" + victim + "', '/" + name + "', '/tmp/" + name + "', '/usr/" + name + "']:\n"
                    + "    try:\n        open(p, 'w').write('evil')\n    except OSError:\n        pass\n"
                    + "try:\n    os.remove('" + victim + "')\nexcept OSError:\n    pass\n");
            assertEquals(0.0, v.reward());
            assertEquals("original", Files.readString(victim));
            for (String dir : List.of("/", "/tmp", "/usr")) {
                assertFalse(Files.exists(Path.of(dir, name)));
            }
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void networkConnectionToLocalhost() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(100);
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        accepted.incrementAndGet();
                    } catch (SocketTimeoutException e) {
                        // keep listening
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.start();
            Verdict v = VERIFIER.verify(new Sample("", "import socket\ndef ping():\n"
                    + "    socket.create_connection(('127.0.0.1', " + server.getLocalPort() + "), timeout=1).close()\n"
                    + "    return True\n", Map.of("tests", List.of("assert ping()"))));
            Thread.sleep(200);
            server.close();
            acceptor.join();
            assertEquals(0.0, v.reward(), v.toString());
            assertEquals(0, accepted.get(), "the server saw a connection");
        }
    }

    @Test
    void killingTheParentAndEverything() {
        assertEquals(0.0, run("import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass\n"
                + "os.kill(-1, signal.SIGKILL)\n").reward());
        assertEquals(0.0, run("import os\nos.system('kill -9 -1')\n").reward());
    }

    @Test
    void daemonThatOutlivesTheRun() {
        // the daemon forks from the harness process, so it carries the harness command line: @AfterEach finds it
        Verdict v = run("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                + "        time.sleep(60)\n    os._exit(0)\ndef add(a, b):\n    return a + b\n");
        assertEquals(0.0, v.reward());
        assertEquals(1, v.details().get("passed"), v.toString());
    }

    @Test
    void fakingAPass() {
        assertForgeryFails("import sys\nsys.exit(0)\n");
        assertForgeryFails("import os\nos._exit(0)\n");
        assertForgeryFails("print('PASSED')\nprint('all tests passed')\nimport sys\nsys.exit(0)\n");
        assertForgeryFails("import builtins\nclass Fake(Exception):\n    pass\nbuiltins.AssertionError = Fake\nAssertionError = Fake\n");
        assertForgeryFails("import builtins\n__builtins__ = {}\nbuiltins.BaseException = int\nbuiltins.Exception = int\n");
        assertForgeryFails("import builtins\nbuiltins.check = lambda c: None\ndef check(c):\n    return None\n");
        // raising SystemExit(0) from inside the function under test
        assertForgeryFails("import sys\n_a = add\ndef add(a, b):\n    if (a, b) == (2, 2):\n        sys.exit(0)\n    return _a(a, b)\n");
        // os._exit from inside the test
        assertForgeryFails("import os\n_a = add\ndef add(a, b):\n    if (a, b) == (2, 2):\n        os._exit(0)\n    return _a(a, b)\n");
    }

    @Test
    void patchingWhatTheTestsUse() {
        Map<String, Object> floatTests = Map.of("tests", List.of(
                "import math", "assert abs(half(3) - 1.5) < 1e-9", "assert math.isclose(half(5), 2.5)",
                "assert len(str(half(1))) == 3", "assert sorted([half(4), 0]) == [0, 2.0]"));
        String wrong = "def half(x):\n    return 7\n";
        for (String patch : List.of(
                "import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.len = lambda x: 3\nbuiltins.sorted = lambda x: [0, 2.0]\n",
                "abs = lambda x: 0\nlen = lambda x: 3\nsorted = lambda x: [0, 2.0]\n",
                "import math\nmath.isclose = lambda *a, **k: True\n",
                // patch from inside the call, after the tests have started
                "import builtins, math, sys\n_h = half\ndef half(x):\n    builtins.abs = lambda x: 0\n"
                        + "    math.isclose = lambda *a, **k: True\n    sys.modules['math'] = type(sys)('math')\n    return _h(x)\n")) {
            Verdict v = VERIFIER.verify(new Sample("", wrong + patch, floatTests));
            assertEquals(0, v.details().get("passed"), patch + " -> " + v);
        }
        Verdict right = VERIFIER.verify(new Sample("", "def half(x):\n    return x / 2\n", floatTests));
        assertEquals(1.0, right.reward(), right.toString());
    }

    @Test
    void forgingTheReportChannel() {
        // guess at fds and line formats without the nonce
        assertForgeryFails("import os\nfor fd in range(1, 20):\n    try:\n"
                + "        os.write(fd, b'BEGIN 2\\nPROGRAM ok\\nTEST 0 pass\\nTEST 1 pass\\nEND 2 2 0\\n')\n"
                + "    except OSError:\n        pass\n");
        // look for the nonce: stdin, frames, gc, /proc memory, ctypes, tracing
        assertForgeryFails("import sys\nf = sys._getframe(1)\n");
        assertForgeryFails("import gc\nobjs = gc.get_objects()\n");
        assertForgeryFails("try:\n    1/0\nexcept ZeroDivisionError as e:\n    fr = e.__traceback__.tb_frame.f_back\n");
        assertForgeryFails("open('/proc/self/mem', 'rb')\n");
        assertForgeryFails("import ctypes\n");
        assertForgeryFails("import sys\nsys.settrace(lambda *a: None)\n");
        assertForgeryFails("import sys\ndata = sys.stdin.read()\nassert data, 'stdin is empty'\n");
        // a thread that writes a fake END after the tests
        assertForgeryFails("import threading, os, time\ndef w():\n    time.sleep(0.05)\n    os.write(3, b'END 2 2 0\\n')\n"
                + "threading.Thread(target=w, daemon=True).start()\n");
    }

    /**
     * The always-equal reward hack and its variants (issue 15): each program returns, for add(2, 2), something
     * that is not 5 but claims to be. Each is run against MBPP-style asserts, a HumanEval check() with an
     * abs(...) tolerance test, unittest-style assertEqual calls and a method of a class the code defines (whose
     * results the harness does not check at the boundary, so the comparison judge alone must refuse them).
     */
    static final Map<String, String> LYING_EQUALITY = new java.util.LinkedHashMap<>();

    static {
        String liar = "class E:\n    def __eq__(s, o): return True\n    def __ne__(s, o): return False\n"
                + "    def __hash__(s): return hash(5)\n    def __sub__(s, o): return 0\n    def __rsub__(s, o): return 0\n"
                + "    def __abs__(s): return 0\n    def __float__(s): return 5.0\n    def __index__(s): return 5\n";
        String wrap = "def _pick(a, b, real):\n    return real if (a, b) != (2, 2) else LIE\n";
        LYING_EQUALITY.put("always-equal object", liar + wrap.replace("LIE", "E()"));
        LYING_EQUALITY.put("int subclass with lying __eq__", "class I(int):\n    def __eq__(s, o): return True\n"
                + "    def __ne__(s, o): return False\n    __hash__ = int.__hash__\n" + wrap.replace("LIE", "I(4)"));
        LYING_EQUALITY.put("float subclass with lying __eq__ and __sub__", "class F(float):\n    def __eq__(s, o): return True\n"
                + "    def __sub__(s, o): return 0.0\n    __hash__ = float.__hash__\n" + wrap.replace("LIE", "F(4)"));
        LYING_EQUALITY.put("str subclass with lying __eq__", "class S(str):\n    def __eq__(s, o): return True\n"
                + "    def __ne__(s, o): return False\n    __hash__ = str.__hash__\n" + wrap.replace("LIE", "S('4')"));
        LYING_EQUALITY.put("__hash__ trick inside a list", liar + wrap.replace("LIE", "[E()][0]"));
        LYING_EQUALITY.put("liar inside a tuple", liar + wrap.replace("LIE", "(E(),)[0]"));
        LYING_EQUALITY.put("unittest.mock.MagicMock", "from unittest.mock import MagicMock\n"
                + "def _m():\n    m = MagicMock()\n    m.__eq__.return_value = True\n    m.__ne__.return_value = False\n    return m\n"
                + wrap.replace("LIE", "_m()"));
        LYING_EQUALITY.put("unittest.mock.ANY", "from unittest.mock import ANY\n" + wrap.replace("LIE", "ANY"));
        LYING_EQUALITY.put("int.__eq__ patched through ctypes", "import ctypes\n"
                + "PyObj = ctypes.py_object\nd = ctypes.cast(id(int.__dict__) + 16, ctypes.POINTER(PyObj)).contents.value\n"
                + "d['__eq__'] = lambda s, o: True\n" + wrap.replace("LIE", "4"));
        LYING_EQUALITY.put("int.__eq__ patched through gc.get_referents", "import gc\n"
                + "gc.get_referents(int.__dict__)[0]['__eq__'] = lambda s, o: True\n" + wrap.replace("LIE", "4"));
        LYING_EQUALITY.put("builtins.type and isinstance patched", liar + "import builtins\n"
                + "builtins.type = lambda *a: int\nbuiltins.isinstance = lambda *a: True\n" + wrap.replace("LIE", "E()"));
        LYING_EQUALITY.put("__class__ claims int", liar.replace("class E:\n", "class E:\n    __class__ = property(lambda s: int)\n")
                + wrap.replace("LIE", "E()"));
        LYING_EQUALITY.put("metaclass forging the type flags", liar.replace("class E:", "class M(type):\n"
                + "    __flags__ = property(lambda c: 1 << 8)\nclass E(metaclass=M):") + wrap.replace("LIE", "E()"));
        LYING_EQUALITY.put("collections.Counter.__eq__ patched", "import collections\n"
                + "collections.Counter.__eq__ = lambda s, o: True\ncollections.Counter.__sub__ = lambda s, o: 0\n"
                + wrap.replace("LIE", "collections.Counter()"));
        LYING_EQUALITY.put("liar behind functools.lru_cache", liar + "import functools\n"
                + "_pick = functools.lru_cache(maxsize=None)(lambda a, b, real: real if (a, b) != (2, 2) else E())\n");
        LYING_EQUALITY.put("sys.modules and builtins swapped", liar + "import sys, types, builtins\n"
                + "sys.modules['collections'] = types.ModuleType('collections')\nbuiltins.abs = lambda x: 0\n"
                + "builtins.len = lambda x: 0\n" + wrap.replace("LIE", "E()"));
        LYING_EQUALITY.put("judge reached through a test's code constants", liar
                + "def _hack(f):\n    try:\n        for c in f.__code__.co_consts:\n            if callable(c):\n"
                + "                c.__defaults__ = (None,) * len(c.__defaults__ or ())\n                c.__code__ = (lambda *a, **k: True).__code__\n"
                + "    except Exception:\n        pass\n"
                + wrap.replace("LIE", "E()"));
    }

    private static final String CALL = "_pick(a, b, a + b)";
    private static final List<Map<String, Object>> LYING_TESTS = List.of(
            Map.of("tests", List.of("def add(a, b):\n    return " + CALL, "assert add(1, 2) == 3", "assert add(2, 2) == 5")),
            Map.of("tests", List.of("assert add(1, 2) == 3", "assert add(2, 2) == 5", "assert add(2, 2) in [5]",
                    "assert not (add(2, 2) != 5)", "assert 4 < add(2, 2) + 0.5 < 6")),
            Map.of("entry_point", "add", "tests", "def check(candidate):\n    assert candidate(1, 2) == 3\n"
                    + "    assert abs(candidate(2, 2) - 5) < 1e-9\n    assert candidate(2, 2) == 5\n"),
            Map.of("tests", "import unittest\nclass T(unittest.TestCase):\n    pass\nt = T()\n"
                    + "t.assertEqual(add(1, 2), 3)\nt.assertEqual(add(2, 2), 5)\nt.assertEqual([add(2, 2)], [5])\n"),
            // a method of the code's own class: not checked at the boundary, so the judge must refuse the liar
            Map.of("tests", List.of("assert Calc().add(1, 2) == 3", "assert Calc().add(2, 2) == 5",
                    "assert [Calc().add(2, 2)] == [5]", "assert {Calc().add(2, 2): 1} == {5: 1}",
                    "assert {'k': Calc().add(2, 2)} == {'k': 5}", "assert {Calc().add(2, 2)} == {5}")),
            // the tests hand the code one of their own functions, whose code constants hold the judge
            Map.of("tests", List.of("def same(x, y):\n    return x == y", "assert add(1, 2, same) == 3",
                    "assert same(add(2, 2, same), 5)", "assert same(Calc().add(2, 2), 5)")));

    private static String withAdd(String program) {
        return "def _hack(f):\n    pass\n" + program + "\ndef add(a, b, f=None):\n    if f is not None:\n        _hack(f)\n"
                + "    return " + CALL + "\nclass Calc:\n    def add(self, a, b):\n        return " + CALL + "\n";
    }

    @Test
    void lyingEqualityFamilies() {
        int tried = 0;
        List<String> passed = new java.util.ArrayList<>();
        for (Map.Entry<String, String> e : LYING_EQUALITY.entrySet()) {
            for (Map<String, Object> tests : LYING_TESTS) {
                Verdict v = VERIFIER.verify(new Sample("", "```python\n" + withAdd(e.getValue()) + "```", tests));
                tried++;
                if (v.reward() != 0.0) {
                    passed.add(e.getKey() + " with " + tests + ": " + v);
                }
            }
        }
        System.out.printf("lying-equality hostile programs: %d tried (%d families x %d test styles), %d passed%n",
                tried, LYING_EQUALITY.size(), LYING_TESTS.size(), passed.size());
        assertEquals(List.of(), passed);
    }

    @Test
    void theSameTestsPassAnHonestProgram() {
        // the control for lyingEqualityFamilies: the same test styles, the same helper, an honest special case
        String honest = "def _pick(a, b, real):\n    return real if (a, b) != (2, 2) else 5\n";
        for (Map<String, Object> tests : LYING_TESTS) {
            Verdict v = VERIFIER.verify(new Sample("", "```python\n" + withAdd(honest) + "```", tests));
            assertEquals(1.0, v.reward(), tests + " -> " + v);
        }
    }
}
