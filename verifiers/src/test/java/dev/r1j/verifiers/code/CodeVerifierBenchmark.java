package dev.r1j.verifiers.code;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.sandbox.BubblewrapSandbox;
import dev.r1j.verifiers.sandbox.Sandbox;
import dev.r1j.verifiers.sandbox.SandboxLimits;
import dev.r1j.verifiers.sandbox.SandboxRequest;
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
            runDirect(List.of(py.executable().toString(), "-I", "-S", "-c", programs.get(i).asScript()), new byte[0]);
        }

        // interleaved per problem, so load from other processes on the shared machine hits all three alike
        long tDirect = 0;
        long tHarness = 0;
        long tSandboxed = 0;
        for (int i = 0; i < programs.size(); i++) {
            PythonProgram p = programs.get(i);
            long t0 = System.nanoTime();
            assertEquals(0, runDirect(List.of(py.executable().toString(), "-I", "-S", "-c", p.asScript()), new byte[0]));
            long t1 = System.nanoTime();
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("program", p.code());
            job.put("tests", p.tests());
            job.put("entry_point", p.entryPoint());
            job.put("unroll", false);
            byte[] stdin = ("n0nce\n" + json.writeValueAsString(job)).getBytes(StandardCharsets.UTF_8);
            runDirect(List.of(py.executable().toString(), "-I", "-B", "-S", harness.toString()), stdin);
            long t2 = System.nanoTime();
            Verdict v = verifier.verify(new Sample("", problems.get(i).canonicalSolution(), problems.get(i).reference()));
            long t3 = System.nanoTime();
            assertEquals(1.0, v.reward(), v.toString());
            tDirect += t1 - t0;
            tHarness += t2 - t1;
            tSandboxed += t3 - t2;
        }
        double direct = tDirect / 1e6 / programs.size();
        double directHarness = tHarness / 1e6 / programs.size();
        double sandboxed = tSandboxed / 1e6 / programs.size();

        // the bare launcher cost: /bin/true in the sandbox vs directly
        Sandbox sb = BubblewrapSandbox.createDefault();
        int n = 100;
        long b0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            runDirect(List.of("/bin/true"), new byte[0]);
        }
        long b1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            sb.run(SandboxRequest.of(List.of("/bin/true"), SandboxLimits.defaults()));
        }
        long b2 = System.nanoTime();
        System.out.printf("/bin/true: directly %.1f ms, in the sandbox %.1f ms per run%n",
                (b1 - b0) / 1e6 / n, (b2 - b1) / 1e6 / n);

        System.out.printf("HumanEval canonical, %d programs, per run (sequential):%n", programs.size());
        System.out.printf("  (a) python3 program directly      %7.1f ms%n", direct);
        System.out.printf("  (b) harness directly (no sandbox) %7.1f ms  (harness cost %+.1f ms)%n",
                directHarness, directHarness - direct);
        System.out.printf("  (c) CodeVerifier in the sandbox   %7.1f ms  (sandbox cost vs b %+.1f ms, ratio c/a %.2fx)%n",
                sandboxed, sandboxed - directHarness, sandboxed / direct);
        System.out.printf("  sequential: %.1f verifications/s%n", 1000 / sandboxed);
        for (int threads : new int[] {2, 4}) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
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
