package dev.r1j.verifiers.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvalDatasetsTest {
    static Path benchmarks() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data/benchmarks"))) {
                return p.resolve("data/benchmarks");
            }
        }
        throw new IllegalStateException("data/benchmarks not found");
    }

    @Test
    void everyBundledBenchmarkLoadsWithItsFields() {
        Path dir = benchmarks();
        assertEquals(List.of("gsm8k_test", "gsm8k_train", "math500_test", "humaneval", "mbpp"), EvalDatasets.names());
        List<EvalProblem> gsm = EvalDatasets.loadBundled("gsm8k_test", dir);
        assertEquals(1319, gsm.size());
        assertEquals("18", gsm.get(0).reference().get("answer"));
        assertTrue(gsm.get(0).prompt().startsWith("Janet"));
        assertEquals("gsm8k_test/1", gsm.get(0).id());
        assertEquals(7473, EvalDatasets.loadBundled("gsm8k_train", dir).size());
        List<EvalProblem> math = EvalDatasets.loadBundled("math500_test", dir);
        assertEquals(500, math.size());
        assertEquals("\\left( 3, \\frac{\\pi}{2} \\right)", math.get(0).reference().get("answer"));
        List<EvalProblem> he = EvalDatasets.loadBundled("humaneval", dir);
        assertEquals(164, he.size());
        assertEquals("HumanEval/0", he.get(0).id());
        assertEquals("has_close_elements", he.get(0).reference().get("entry_point"));
        List<EvalProblem> mbpp = EvalDatasets.loadBundled("mbpp", dir);
        assertEquals(974, mbpp.size());
        assertEquals("mbpp/1", mbpp.get(0).id());
        assertEquals(3, ((List<?>) mbpp.get(0).reference().get("tests")).size());
        assertTrue(mbpp.get(0).prompt().contains("Your code should pass these tests:\n\nassert min_cost("));
    }

    @Test
    void referenceSolutionsScoreOneUnderTheMathVerifier() {
        Verifier math = VerifierRegistry.defaultRegistry().create("math", Map.of());
        Path dir = benchmarks();
        for (String name : List.of("gsm8k_test", "math500_test")) {
            List<EvalProblem> ps = EvalDatasets.loadBundled(name, dir);
            for (EvalProblem p : ps.subList(0, 50)) {
                String solution = (String) p.reference().get("solution");
                assertEquals(1.0, math.verify(new Sample(p.prompt(), solution, p.reference())).reward(), p.id());
            }
        }
    }

    @Test
    void badRowsNameFileLineAndField(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("g.jsonl");
        Files.writeString(f, "{\"question\": \"q\", \"answer\": \"x #### 1\"}\n\n{\"question\": \"q2\"}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EvalDatasets.load("gsm8k_test", f));
        assertTrue(e.getMessage().contains("g.jsonl:3") && e.getMessage().contains("'answer' is missing"), e.getMessage());
        Files.writeString(f, "{\"question\": \"q\", \"answer\": \"no marker\"}\n");
        e = assertThrows(IllegalArgumentException.class, () -> EvalDatasets.load("gsm8k_test", f));
        assertTrue(e.getMessage().contains("g.jsonl:1") && e.getMessage().contains("####"), e.getMessage());
        Files.writeString(f, "not json\n");
        e = assertThrows(IllegalArgumentException.class, () -> EvalDatasets.load("gsm8k_test", f));
        assertTrue(e.getMessage().contains("g.jsonl:1: not valid JSON"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> EvalDatasets.load("gsm8k", f));
        assertTrue(e.getMessage().contains("known: gsm8k_test"), e.getMessage());
    }
}
