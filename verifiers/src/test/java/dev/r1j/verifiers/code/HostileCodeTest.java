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
}
