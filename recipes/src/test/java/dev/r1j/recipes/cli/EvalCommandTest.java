package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verifier;
import dev.r1j.verifiers.VerifierRegistry;
import dev.r1j.verifiers.eval.EvalReport;
import dev.r1j.verifiers.eval.ProblemResult;
import dev.r1j.verifiers.eval.SampleResult;
import dev.r1j.verifiers.reward.CompletionLength;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code recipe eval} on a tiny saved checkpoint, dataset resolution, and {@code recipe explain grpo}'s new keys. */
class EvalCommandTest {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        Main main = new Main(StageRegistry::defaultRegistry, ProgressFactory.none());
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    static Path benchmarks() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("data/benchmarks"))) return p.resolve("data/benchmarks");
        }
        throw new IllegalStateException("data/benchmarks not found");
    }

    /** A random 1-layer model over the characters of small sums and \boxed{}: it writes digits and braces. */
    static Path tinyCheckpoint(Path dir) {
        CharTokenizer tok = new CharTokenizer("0123456789+=? \\boxed{}", null);
        Path model = dir.resolve("tiny");
        try (NDManager m = Djl.newManager();
             Transformer t = Transformer.create(ModelConfig.llama(tok.vocabSize(), 16, 32, 1, 2, 1, 64), m, 5)) {
            Checkpoint.save(model, t, tok);
        }
        return model;
    }

    @Test
    void writesEvalJsonConsistentWithTheLibrarysReportOnTheSameVerdicts(@TempDir Path dir) throws Exception {
        System.setProperty("r1j.fsync", "false");
        Path model = tinyCheckpoint(dir);
        Path data = dir.resolve("sums.jsonl");
        Files.writeString(data, """
                {"prompt": "1+1=?", "answer": "2"}
                {"prompt": "2+2=?", "answer": "4"}
                {"prompt": "3+4=?", "answer": "7"}
                """);
        Path output = dir.resolve("eval.json");
        assertEquals(0, run("eval", "--model", model.toString(), "--dataset", data.toString(), "-k", "4",
                "--temperature", "1.0", "--max-new-tokens", "6", "--limit", "2", "--output", output.toString()),
                err.toString());
        JsonNode e = new ObjectMapper().readTree(output.toFile());
        assertEquals(2, e.get("problems").asInt(), "--limit 2");
        assertEquals(4, e.get("samples_per_problem").asInt());
        assertEquals(8, e.get("completions").size());

        // Re-score the written completions with the math verifier and rebuild the library's report.
        Verifier math = VerifierRegistry.defaultRegistry().create("math", Map.of());
        List<ProblemResult> problems = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            List<SampleResult> rs = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                JsonNode c = e.get("completions").get(4 * p + j);
                int tokens = c.get("tokens").asInt();
                assertTrue(tokens >= 1 && tokens <= 6, c.toString());
                rs.add(SampleResult.of(math.verify(new Sample(c.get("prompt").asText(), c.get("completion").asText(),
                        Map.of("answer", c.get("answer").asText(), CompletionLength.TOKENS_KEY, tokens))), tokens,
                        c.get("truncated").asBoolean()));
                assertEquals(rs.get(j).correct(), c.get("correct").asBoolean());
            }
            problems.add(new ProblemResult("p" + p, rs));
        }
        JsonNode expected = new ObjectMapper().valueToTree(EvalReport.of(problems).toJson());
        for (var it = expected.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            assertEquals(expected.get(k), e.get(k), k);
        }
        for (String k : List.of("pass@1", "pass@2", "pass@4", "maj@2", "maj@4", "completion_len_mean", "truncated_frac",
                "completion_len_mean_ci95", "truncated_frac_ci95")) {
            assertTrue(e.has(k), k + " in " + e);
        }
        assertEquals(e.get("pass@1").asDouble(), e.get("accuracy").asDouble(), 1e-12);
        assertTrue(out.toString().contains("pass@4") && out.toString().contains("maj@4"), out.toString());
        assertTrue(out.toString().contains("wrote " + output), out.toString());
    }

    @Test
    void datasetsResolveByNameOrBundledFileAndBadNamesGetASuggestion(@TempDir Path dir) {
        List<Prompt> byName = EvalCommand.problems("gsm8k_test", benchmarks(), 3);
        assertEquals(3, byName.size());
        assertTrue(byName.get(0).prompt().startsWith("Janet"), byName.get(0).prompt());
        assertEquals("18", byName.get(0).reference().get("answer"));
        List<Prompt> byFile = EvalCommand.problems(benchmarks().resolve("gsm8k_test.jsonl").toString(), dir, 3);
        assertEquals(byName, byFile);
        assertEquals("python", EvalCommand.problems("mbpp", benchmarks(), 1).get(0).reference().get("language"));

        assertEquals(1, run("eval", "--model", dir.toString(), "--dataset", "gsm8k_tset"));
        assertTrue(err.toString().contains("--dataset: 'gsm8k_tset' is neither a benchmark name (did you mean "
                + "'gsm8k_test'?)"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, run("eval", "--model", dir.toString(), "--dataset", "gsm8k_test", "-k", "4",
                "--temperature", "0"));
        assertTrue(err.toString().contains("-k 4 with temperature 0"), err.toString());
    }

    @Test
    void explainGrpoDocumentsGatesAndTheCombination() {
        assertEquals(0, run("explain", "grpo"), err.toString());
        String all = out.toString();
        for (String row : List.of("  combination +weighted_sum +one of weighted_sum\\|normalized_sum +weighted_sum: .*",
                "  verifiers\\[\\]\\.gate +null +.*label of another verifier.*",
                "  verifiers\\[\\]\\.gate_threshold +1\\.0 +a number +.*")) {
            assertTrue(all.lines().anyMatch(l -> l.matches(row)), row + " in\n" + all);
        }
    }
}
