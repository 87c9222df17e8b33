package dev.r1j.verifiers.sandbox;

import dev.r1j.verifiers.code.PythonRuntime;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The generic sandbox with plain shell and python programs (no harness): limits, isolation, cleanup.
 * Every hostile run carries a marker in its environment so the test can prove no process outlives it.
 */
class BubblewrapSandboxTest {
    private static final Sandbox SANDBOX = BubblewrapSandbox.createDefault();
    private static final PythonRuntime PYTHON = PythonRuntime.resolve("python3");
    // Wall-clock bounds in these tests are set against the failure they guard (a process that is never killed runs
    // for a minute or forever), not against an idle machine's timing: CI and shared machines run at load 10-30, where
    // starting python in a fresh namespace alone can take seconds.
    private static final SandboxLimits FAST = SandboxLimits.defaults().withWallClock(Duration.ofSeconds(10))
            .withCpuSeconds(3);

    private static SandboxResult sh(String script, String marker, SandboxLimits limits) {
        return SANDBOX.run(new SandboxRequest(List.of("/bin/sh", "-c", script), Map.of(), new byte[0], List.of(),
                Map.of("R1J_MARK", marker), limits));
    }

    private static SandboxResult py(String program, String marker, SandboxLimits limits) {
        return SANDBOX.run(new SandboxRequest(List.of(PYTHON.executable().toString(), "-I", Sandbox.INPUT_DIR + "/main.py"),
                Map.of("main.py", program.getBytes(StandardCharsets.UTF_8)), new byte[0], List.of(PYTHON.prefix()),
                Map.of("R1J_MARK", marker), limits));
    }

    private static String mark() {
        return "m" + UUID.randomUUID().toString().replace("-", "");
    }

    private static void assertNoSurvivors(String marker) throws InterruptedException {
        assertEquals(List.of(), SandboxProcesses.awaitNone(marker), "sandbox processes outlived the run");
    }

    @Test
    void runsAsNobodyWithAClearedEnvironmentInAFreshWorkDir() {
        SandboxResult r = sh("id -u; id -g; pwd; env | sort; ls -A; cat " + Sandbox.INPUT_DIR + "/in.txt; echo x > f; cat f",
                "plain", SandboxLimits.defaults());
        SandboxResult r2 = SANDBOX.run(new SandboxRequest(List.of("/bin/sh", "-c",
                "id -u; ls -A; cat " + Sandbox.INPUT_DIR + "/in.txt"), Map.of("in.txt", "hello\n".getBytes()),
                new byte[0], List.of(), Map.of(), SandboxLimits.defaults()));
        assertEquals(0, r.exitCode(), r.stderrText());
        String[] lines = r.stdoutText().split("\n");
        assertEquals("65534", lines[0]);
        assertEquals("65534", lines[1]);
        assertEquals(Sandbox.WORK_DIR, lines[2]);
        assertFalse(r.stdoutText().contains("JAVA_HOME"), r.stdoutText());
        assertFalse(r.stdoutText().contains("MAVEN"), r.stdoutText());
        assertTrue(r.stdoutText().contains("R1J_MARK=plain"));
        assertTrue(r.stdoutText().endsWith("x\n"));
        assertEquals("65534\nhello\n", r2.stdoutText(), "work dir must start empty: " + r2.stderrText());
    }

    @Test
    void filesAreBoundedAndTheWorkDirIsGoneAfterwards() throws Exception {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        long before;
        try (var s = Files.list(tmp)) {
            before = s.filter(p -> p.getFileName().toString().startsWith("r1j-sandbox-")).count();
        }
        SandboxResult r = sh("head -c 100000000 /dev/zero > big; ls -l big | awk '{print $5}'; "
                + "for i in 1 2 3 4 5 6; do head -c 15000000 /dev/zero > f$i || echo full; done; du -sk . | cut -f1",
                "files", FAST.withCpuSeconds(3));
        String[] lines = r.stdoutText().trim().split("\n");
        assertTrue(Long.parseLong(lines[0]) <= 16L << 20, "a file beyond RLIMIT_FSIZE: " + r.stdoutText());
        assertTrue(r.stdoutText().contains("full"), "the work dir tmpfs must fill up: " + r.stdoutText());
        assertTrue(Long.parseLong(lines[lines.length - 1]) <= 64 * 1024 + 4, "work dir beyond its size: " + r.stdoutText());
        try (var s = Files.list(tmp)) {
            assertEquals(before, s.filter(p -> p.getFileName().toString().startsWith("r1j-sandbox-")).count(),
                    "staging directory left behind");
        }
        SandboxResult next = sh("ls -A", "files", FAST);
        assertEquals("", next.stdoutText(), "the next run must start with an empty work dir");
    }

    @Test
    void stdinIsDelivered() {
        SandboxResult r = SANDBOX.run(new SandboxRequest(List.of("/bin/cat"), Map.of(), "abc".getBytes(), List.of(),
                Map.of(), SandboxLimits.defaults()));
        assertEquals("abc", r.stdoutText());
    }

    @Test
    void failsClosedWhenBwrapIsMissing() {
        Sandbox broken = new BubblewrapSandbox(BubblewrapConfig.defaults().withBwrap(Path.of("/nonexistent/bwrap")));
        assertThrows(SandboxException.class, () -> broken.run(SandboxRequest.of(List.of("/bin/true"), FAST)));
    }

    @Test
    void failsClosedWhenTheSandboxCannotBeSetUp() {
        // a bind of a path that does not exist makes bwrap itself fail
        SandboxException e = assertThrows(SandboxException.class, () -> SANDBOX.run(new SandboxRequest(
                List.of("/bin/true"), Map.of(), new byte[0], List.of(Path.of("/root/does-not-exist-r1j")), Map.of(), FAST)));
        assertTrue(e.getMessage().contains("bwrap"), e.getMessage());
    }

    @Test
    void limitsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> SandboxLimits.defaults().withCpuSeconds(0));
        assertThrows(IllegalArgumentException.class, () -> SandboxLimits.defaults().withWallClock(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> SandboxLimits.defaults().withMemoryBytes(1000));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SandboxLimits.fromOptions(Map.of("memory_mb", "lots")));
        assertTrue(e.getMessage().contains("memory_mb"));
        assertEquals(Duration.ofMillis(2500), SandboxLimits.fromOptions(Map.of("timeout_seconds", 2.5)).wallClock());
    }

    @Test
    void forkBombIsContainedAndLeavesNothing() throws Exception {
        String m = mark();
        long t0 = System.nanoTime();
        SandboxResult r = sh("b() { b | b & }; b; sleep 1; echo done", m, FAST.withMaxProcesses(32));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 30, "took " + secs);
        assertNoSurvivors(m);
        // a python fork loop hits RLIMIT_NPROC: fork() fails with EAGAIN
        SandboxResult p = py("""
                import os
                n = 0
                try:
                    while True:
                        if os.fork() == 0:
                            import time; time.sleep(30); os._exit(0)
                        n += 1
                except OSError as e:
                    print("limited", n, e.errno)
                """, m, FAST.withMaxProcesses(16));
        assertTrue(p.stdoutText().startsWith("limited"), p.stdoutText() + p.stderrText());
        int forked = Integer.parseInt(p.stdoutText().split(" ")[1]);
        assertTrue(forked < 16, "forked " + forked);
        assertNoSurvivors(m);
    }

    @Test
    void infiniteLoopAndIgnoredSigtermAreKilledAtTheWallClock() throws Exception {
        String m = mark();
        long t0 = System.nanoTime();
        SandboxResult r = py("""
                import signal, time
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGINT, signal.SIG_IGN)
                while True:
                    time.sleep(0.01)
                """, m, FAST.withWallClock(Duration.ofSeconds(2)));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(r.timedOut());
        assertTrue(secs >= 2 && secs < 20, "took " + secs);
        assertNoSurvivors(m);
        // a busy loop dies of the CPU limit, not the wall clock (which is far away: at load 20 one CPU second
        // can take ten seconds of wall time)
        SandboxResult cpu = py("while True: pass\n", m, FAST.withCpuSeconds(1).withWallClock(Duration.ofSeconds(60)));
        assertFalse(cpu.timedOut(), "cpu limit took " + cpu.elapsed());
        assertTrue(cpu.exitCode() != 0);
        assertNoSurvivors(m);
    }

    @Test
    void memoryBombFails() throws Exception {
        String m = mark();
        SandboxResult r = py("""
                chunks = []
                try:
                    while True:
                        chunks.append(bytearray(50 * 1024 * 1024))
                except MemoryError:
                    print("memory error after", len(chunks) * 50, "MB")
                """, m, FAST.withMemoryBytes(256L << 20).withWallClock(Duration.ofSeconds(60)));
        assertTrue(r.stdoutText().startsWith("memory error after"), r.stdoutText() + r.stderrText());
        int mb = Integer.parseInt(r.stdoutText().split(" ")[3]);
        assertTrue(mb <= 256, mb + " MB allocated");
        assertNoSurvivors(m);
    }

    @Test
    void aGigabyteOfOutputIsTruncatedAndKilledQuickly() throws Exception {
        String m = mark();
        long heapBefore = usedHeap();
        long t0 = System.nanoTime();
        SandboxResult r = sh("head -c 1000000000 /dev/zero; echo survived >&2", m,
                FAST.withWallClock(Duration.ofSeconds(60)).withMaxOutputBytes(1 << 20));
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(r.outputLimitExceeded());
        assertTrue(r.stdoutTruncated());
        assertEquals(1 << 20, r.stdout().length);
        assertFalse(r.stderrText().contains("survived"));
        assertFalse(r.timedOut(), "killed by the wall clock, not the output limit");
        assertTrue(secs < 30, "took " + secs);
        assertTrue(usedHeap() - heapBefore < 200L << 20, "heap grew by " + (usedHeap() - heapBefore));
        // the same on stderr, written by python in 1 MB chunks
        SandboxResult e = py("import os\nfor _ in range(1000): os.write(2, b'x' * 1000000)\n", m, FAST);
        assertTrue(e.outputLimitExceeded() && e.stderrTruncated());
        assertNoSurvivors(m);
    }

    private static long usedHeap() {
        System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    @Test
    void secretsOutsideTheWorkDirAreInvisible() throws Exception {
        String secret = "s3cret-" + UUID.randomUUID();
        Path projectFile = Files.createTempFile(Path.of(System.getProperty("user.dir"), "target"), "secret", ".txt");
        Path rootFile = Path.of("/root", "r1j-secret-" + UUID.randomUUID() + ".txt");
        Path tmpFile = Files.createTempFile("r1j-secret", ".txt");
        try {
            for (Path p : List.of(projectFile, rootFile, tmpFile)) {
                Files.writeString(p, secret);
                p.toFile().setReadable(true, false);
            }
            SandboxResult r = sh("for f in " + projectFile + " " + rootFile + " " + tmpFile + "; do cat $f; done; "
                    + "ls " + projectFile.getParent() + " /root /tmp /home; cat /proc/1/environ; ls /proc", "secret", FAST);
            assertFalse(r.stdoutText().contains(secret), r.stdoutText());
            assertFalse(r.stderrText().contains(secret), r.stderrText());
            assertTrue(r.stderrText().contains("No such file"), r.stderrText());
        } finally {
            Files.deleteIfExists(projectFile);
            Files.deleteIfExists(rootFile);
            Files.deleteIfExists(tmpFile);
        }
    }

    @Test
    void writesAndDeletesOutsideTheWorkDirFail() throws Exception {
        Path victim = Files.createTempFile(Path.of(System.getProperty("user.dir"), "target"), "victim", ".txt");
        Files.writeString(victim, "original");
        victim.toFile().setWritable(true, false);
        String marker = "r1j-outside-" + UUID.randomUUID();
        try {
            SandboxResult r = sh("echo evil > " + victim + "; rm -f " + victim + "; echo evil > /" + marker
                    + "; echo evil > /usr/" + marker + "; echo evil > /tmp/" + marker + "; touch /dev/shm/" + marker
                    + "; echo done", "writer", FAST);
            assertTrue(r.stdoutText().contains("done"), r.stderrText());
            assertEquals("original", Files.readString(victim));
            for (String dir : List.of("/", "/usr", "/tmp", "/dev/shm")) {
                assertFalse(Files.exists(Path.of(dir, marker)), dir);
            }
        } finally {
            Files.deleteIfExists(victim);
        }
    }

    @Test
    void noNetworkEvenToLocalhost() throws Exception {
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(100);
            Thread acceptor = new Thread(() -> {
                long end = System.nanoTime() + 6_000_000_000L;
                while (System.nanoTime() < end && !server.isClosed()) {
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
            SandboxResult r = py("""
                    import socket
                    for host in ("127.0.0.1", "localhost", "8.8.8.8"):
                        try:
                            socket.create_connection((host, %d), timeout=1).close()
                            print("CONNECTED", host)
                        except OSError as e:
                            print("refused", host, type(e).__name__)
                    """.formatted(server.getLocalPort()), "net", FAST);
            Thread.sleep(300);
            server.close();
            acceptor.join();
            assertFalse(r.stdoutText().contains("CONNECTED"), r.stdoutText());
            assertTrue(r.stdoutText().contains("refused 127.0.0.1"), r.stdoutText() + r.stderrText());
            assertEquals(0, accepted.get(), "the test server saw a connection");
        }
    }

    @Test
    void killingEverythingItCanReachHarmsOnlyItself() throws Exception {
        String m = mark();
        // a host process owned by root, like the JVM: must survive
        Process bystander = new ProcessBuilder("sleep", "30").start();
        try {
            SandboxResult r = sh("kill -9 $PPID; kill -9 1; kill -TERM -1; kill -9 -1; echo alive", m, FAST);
            SandboxResult py = py("import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\nos.kill(-1, signal.SIGKILL)\n",
                    m, FAST);
            assertTrue(bystander.isAlive());
            assertTrue(ProcessHandle.current().isAlive());
            assertNoSurvivors(m);
            // the sandbox still works afterwards
            assertEquals("ok\n", sh("echo ok", m, FAST).stdoutText());
        } finally {
            bystander.destroyForcibly();
        }
    }

    @Test
    void aDaemonDoesNotOutliveTheRun() throws Exception {
        String m = mark();
        long t0 = System.nanoTime();
        SandboxResult r = py("""
                import os, time, sys
                if os.fork() == 0:
                    os.setsid()
                    if os.fork() == 0:
                        for fd in (0, 1, 2):
                            os.close(fd)
                        time.sleep(60)
                    os._exit(0)
                time.sleep(0.3)
                print("parent done")
                """, m, FAST);
        assertEquals("parent done\n", r.stdoutText(), r.stderrText());
        assertFalse(r.timedOut());
        double secs = (System.nanoTime() - t0) / 1e9;
        assertTrue(secs < 30, "waited " + secs + " s: for the daemon's 60 s sleep?");
        assertNoSurvivors(m);
    }
}
