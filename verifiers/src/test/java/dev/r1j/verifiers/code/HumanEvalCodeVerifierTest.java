package dev.r1j.verifiers.code;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.sandbox.SandboxLimits;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HumanEval end to end: every canonical solution passes, every prompt without a body fails, and every
 * canonical solution moved onto the next problem fails. Runs on a pool of 3 (the machine has 2 cores).
 */
class HumanEvalCodeVerifierTest {
    static List<HumanEval> problems;
    static CodeVerifier verifier;

    @BeforeAll
    static void load() throws Exception {
        problems = HumanEval.load();
        assertEquals(164, problems.size());
        verifier = new CodeVerifier(CodeVerifierOptions.defaults()
                .withLimits(SandboxLimits.defaults().withWallClock(Duration.ofSeconds(20))));
    }

    private static List<Verdict> runAll(Function<Integer, Sample> sample) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Verdict>> fs = new ArrayList<>();
            for (int i = 0; i < problems.size(); i++) {
                int k = i;
                fs.add(pool.submit(() -> verifier.verify(sample.apply(k))));
            }
            List<Verdict> out = new ArrayList<>();
            for (Future<Verdict> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void allCanonicalSolutionsPass() throws Exception {
        long t0 = System.nanoTime();
        // as a model would answer: the body only, unfenced; the prompt is prepended because no def is given
        List<Verdict> vs = runAll(i -> new Sample("", problems.get(i).canonicalSolution(), problems.get(i).reference()));
        double secs = (System.nanoTime() - t0) / 1e9;
        List<String> failed = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).reward() != 1.0) {
                failed.add(problems.get(i).taskId() + ": " + vs.get(i).reason() + " " + vs.get(i).details());
            }
        }
        System.out.printf("HumanEval canonical: %d/164 pass in %.1f s (%.1f verifications/s on a pool of 3)%n",
                164 - failed.size(), secs, 164 / secs);
        assertTrue(failed.isEmpty(), "canonical solutions failing: " + failed);
    }

    @Test
    void canonicalSolutionsPassAsFencedFullProgramsWithPartialCredit() throws Exception {
        CodeVerifier partial = new CodeVerifier(verifier.options().withPartialCredit(true));
        List<String> failed = new ArrayList<>();
        // a subset keeps the run short; the full set is covered above without partial credit
        for (int i = 0; i < problems.size(); i += 8) {
            HumanEval p = problems.get(i);
            String completion = "Here is my solution.\n```python\n" + p.prompt() + p.canonicalSolution() + "```\nDone.";
            Verdict v = partial.verify(new Sample("", completion, p.reference()));
            if (v.reward() != 1.0) {
                failed.add(p.taskId() + ": " + v.reason());
            }
        }
        assertTrue(failed.isEmpty(), "failing with partial credit: " + failed);
    }

    @Test
    void promptsAloneFail() throws Exception {
        List<Verdict> vs = runAll(i -> new Sample("", "```python\n" + problems.get(i).prompt() + "```",
                problems.get(i).reference()));
        List<String> passed = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).reward() != 0.0) {
                passed.add(problems.get(i).taskId() + ": " + vs.get(i).reason());
            }
            assertTrue(!vs.get(i).details().containsKey("error"), "not a clean failure: " + vs.get(i));
        }
        assertTrue(passed.isEmpty(), "prompt-only completions that did not fail: " + passed);
    }

    @Test
    void canonicalSolutionsOnADifferentProblemFail() throws Exception {
        // solution of problem i+1 (full program, renamed to problem i's entry point) against problem i's tests
        List<Verdict> vs = runAll(i -> {
            HumanEval target = problems.get(i);
            HumanEval other = problems.get((i + 1) % problems.size());
            String code = other.prompt() + other.canonicalSolution() + "\n\n" + target.entryPoint() + " = "
                    + other.entryPoint() + "\n";
            return new Sample("", "```python\n" + code + "```", target.reference());
        });
        List<String> passed = new ArrayList<>();
        for (int i = 0; i < vs.size(); i++) {
            if (vs.get(i).reward() != 0.0) {
                passed.add(problems.get(i).taskId() + ": " + vs.get(i).reason());
            }
        }
        assertTrue(passed.isEmpty(), "swapped solutions that passed: " + passed);
    }
}
