package dev.r1j.verifiers.code;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Throughput of the code verifier on HumanEval's 164 canonical solutions, and the cost of the sandbox per
 * run against running the same program directly with the same python3 (no bwrap/setpriv/prlimit), measured
 * in the same run:
 * (a) the single-file program ({@link PythonProgram#asScript()}) run directly,
 * (b) the harness run directly (same job on stdin, no sandbox),
 * (c) the full verifier (harness inside the sandbox), sequentially and on pools of 2 and 4.
 */
class CodeVerifierBenchmark {

    @Test
    void benchmark() throws Exception {
        List<HumanEval> problems = HumanEval.load();
        PythonRuntime py = PythonRuntime.resolve("python3");
        CodeVerifier verifier = new CodeVerifier(CodeVerifierOptions.defaults());
        List<PythonProgram> programs = new ArrayList<>();
        for (HumanEval p : problems) {
            programs.add(PythonProgram.build(p.canonicalSolution(), p.reference()));
        }
        Path dir = Files.createTempDirectory("r1j-bench");
        Path harness = dir.resolve("harness.py");
        try (InputStream in = CodeVerifier.class.getResourceAsStream("harness.py")) {
            Files.write(harness, in.readAllBytes());
        }
        ObjectMapper json = new ObjectMapper();

        // warm-up: page cache, JIT, interpreter resolution
        for (int i = 0; i < 10; i++) {
            verifier.verify(new Sample("", problems.get(i).canonicalSolution(), problems.get(i).reference()));
            runDirect(List.of(py.executable().toString(), "-I", "-c", programs.get(i).asScript()), new byte[0]);
        }

        long t0 = System.nanoTime();
        for (PythonProgram p : programs) {
            int rc = runDirect(List.of(py.executable().toString(), "-I", "-c", p.asScript()), new byte[0]);
            assertEquals(0, rc);
        }
        double direct = (System.nanoTime() - t0) / 1e6 / programs.size();

        t0 = System.nanoTime();
        for (PythonProgram p : programs) {
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("program", p.code());
            job.put("tests", p.tests());
            job.put("entry_point", p.entryPoint());
            job.put("unroll", false);
            byte[] stdin = ("n0nce\n" + json.writeValueAsString(job)).getBytes(StandardCharsets.UTF_8);
            runDirect(List.of(py.executable().toString(), "-I", "-B", harness.toString()), stdin);
        }
        double directHarness = (System.nanoTime() - t0) / 1e6 / programs.size();

        t0 = System.nanoTime();
        for (HumanEval p : problems) {
            Verdict v = verifier.verify(new Sample("", p.canonicalSolution(), p.reference()));
            assertEquals(1.0, v.reward(), v.toString());
        }
        double sandboxed = (System.nanoTime() - t0) / 1e6 / problems.size();

        System.out.printf("HumanEval canonical, %d programs, per run (sequential):%n", programs.size());
        System.out.printf("  (a) python3 program directly      %7.1f ms%n", direct);
        System.out.printf("  (b) harness directly (no sandbox) %7.1f ms  (harness cost %+.1f ms)%n",
                directHarness, directHarness - direct);
        System.out.printf("  (c) CodeVerifier in the sandbox   %7.1f ms  (sandbox cost vs b %+.1f ms, ratio c/a %.2fx)%n",
                sandboxed, sandboxed - directHarness, sandboxed / direct);
        System.out.printf("  sequential: %.1f verifications/s%n", 1000 / sandboxed);
        for (int threads : new int[] {2, 4}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            t0 = System.nanoTime();
            List<Future<Verdict>> fs = new ArrayList<>();
            for (HumanEval p : problems) {
                fs.add(pool.submit(() -> verifier.verify(new Sample("", p.canonicalSolution(), p.reference()))));
            }
            for (Future<Verdict> f : fs) {
                assertEquals(1.0, f.get().reward());
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            System.out.printf("  pool of %d: %.1f verifications/s (%d cores)%n", threads, problems.size() / secs,
                    Runtime.getRuntime().availableProcessors());
        }
        Files.delete(harness);
        Files.delete(dir);
    }

    private static int runDirect(List<String> cmd, byte[] stdin) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try (OutputStream o = p.getOutputStream()) {
            o.write(stdin);
        }
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
