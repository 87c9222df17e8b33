package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.CompletionGroup;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.rollout.LocalSampler;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path tmp;
    static Path dir;
    final CommandHarness cli = new CommandHarness();
    final StringWriter out = cli.out;
    final StringWriter err = cli.err;

    @BeforeAll
    static void checkpoint() {
        dir = TinyCheckpoint.write(tmp.resolve("tiny"), 8);
    }

    int run(String... args) {
        return cli.run(args);
    }

    static List<CompletionGroup> direct(List<String> prompts, SamplingParams p) {
        try (NDManager m = Djl.newManager(); LoadedModel lm = Checkpoint.load(dir, m)) {
            return new LocalSampler(lm.model(), lm.tokenizer()).sample(prompts, p);
        }
    }

    static void assertSame(CompletionGroup want, JsonNode line, float tolerance) {
        assertEquals(want.prompt(), line.get("prompt").asText());
        assertEquals(want.promptTokenIds().length, line.get("prompt_token_ids").size());
        JsonNode cs = line.get("completions");
        assertEquals(want.completions().size(), cs.size());
        for (int j = 0; j < cs.size(); j++) {
            Completion c = want.completions().get(j);
            JsonNode got = cs.get(j);
            assertArrayEquals(c.tokenIds(), JSON.convertValue(got.get("token_ids"), int[].class));
            assertArrayEquals(c.logprobs(), JSON.convertValue(got.get("logprobs"), float[].class), tolerance);
            assertEquals(c.text(), got.get("text").asText());
            assertEquals(c.finishReason().wireName(), got.get("finish_reason").asText());
        }
    }

    @Test
    void promptsOnTheCommandLineGiveTheLocalSamplersCompletions() throws Exception {
        assertEquals(0, run("generate", "--model", dir.toString(), "--prompt", "abc", "--prompt", "hello world",
                "-n", "3", "--temperature", "0.8", "--top-p", "0.95", "--top-k", "6", "--max-new-tokens", "7",
                "--seed", "11"), err.toString());
        String[] lines = out.toString().split("\n");
        assertEquals(2, lines.length, out.toString());
        List<CompletionGroup> want = direct(List.of("abc", "hello world"), new SamplingParams(3, 7, 0.8, 0.95, 6, List.of(), 11));
        for (int p = 0; p < 2; p++) assertSame(want.get(p), JSON.readTree(lines[p]), 0f);
        assertTrue(err.toString().startsWith("generated 6 completion(s) for 2 prompt(s): "), err.toString());
        // the G samples of a prompt are not all the same (each row has its own random stream)
        JsonNode first = JSON.readTree(lines[0]).get("completions");
        assertTrue(!first.get(0).get("token_ids").equals(first.get(1).get("token_ids"))
                || !first.get(0).get("token_ids").equals(first.get(2).get("token_ids")), first.toString());
    }

    @Test
    void inputFileCarriesFieldsRendersMessagesAndBatches(@TempDir Path work) throws Exception {
        Path in = work.resolve("prompts.jsonl");
        Files.writeString(in, "{\"prompt\":\"12+7=\",\"answer\":\"19\"}\n"
                + "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"id\":7}\n{\"prompt\":\"zz\"}\n");
        Path outFile = work.resolve("out/completions.jsonl");
        assertEquals(0, run("generate", "--model", dir.toString(), "--input", in.toString(), "--output",
                outFile.toString(), "-n", "2", "--temperature", "0", "--max-new-tokens", "5", "--batch-size", "2"),
                err.toString());
        assertEquals("", out.toString());
        List<String> lines = Files.readAllLines(outFile);
        assertEquals(3, lines.size());
        String chat = TinyCheckpoint.tokenizer().applyChatTemplate(List.of(Map.of("role", "user", "content", "hi")), true);
        assertEquals("user: hi\nassistant: ", chat);
        List<CompletionGroup> want = direct(List.of("12+7=", chat, "zz"), SamplingParams.greedy(5));
        for (int p = 0; p < 3; p++) {
            JsonNode line = JSON.readTree(lines.get(p));
            // greedy: both samples equal the single greedy completion, whatever the batching
            CompletionGroup g = want.get(p);
            assertSame(new CompletionGroup(g.prompt(), g.promptTokenIds(), List.of(g.completions().get(0),
                    g.completions().get(0))), line, 1e-5f); // batches of 2 and 3 pad differently: float noise
        }
        assertEquals("19", JSON.readTree(lines.get(0)).get("answer").asText());
        assertEquals(7, JSON.readTree(lines.get(1)).get("id").asInt());
    }

    @Test
    void stopStringsCutTheText() throws Exception {
        Completion greedy = direct(List.of("abc"), SamplingParams.greedy(8)).get(0).completions().get(0);
        String text = greedy.text();
        assertTrue(text.length() >= 3, "the test needs 3+ greedy characters, got '" + text + "'");
        String stop = text.substring(1, 3);
        assertEquals(0, run("generate", "--model", dir.toString(), "--prompt", "abc", "--temperature", "0",
                "--max-new-tokens", "8", "--stop", stop), err.toString());
        JsonNode c = JSON.readTree(out.toString()).at("/completions/0");
        assertEquals(text.substring(0, text.indexOf(stop)), c.get("text").asText());
        assertEquals("stop", c.get("finish_reason").asText());
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag(@TempDir Path work) {
        assertEquals(2, run("generate", "--model", dir.toString()));
        assertTrue(err.toString().contains("give either --prompt (one or more) or --input, not neither"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("generate", "--model", dir.toString(), "--prompt", "a", "--top-p", "0"));
        assertTrue(err.toString().startsWith("recipe generate: --top-p must be in (0, 1], got 0.0"), err.toString());
        err.getBuffer().setLength(0);
        assertEquals(2, run("generate", "--model", dir.toString(), "--prompt", "a", "-n", "0"));
        assertTrue(err.toString().startsWith("recipe generate: -n must be at least 1"), err.toString());
        err.getBuffer().setLength(0);
        Path missing = work.resolve("missing.jsonl");
        assertEquals(1, run("generate", "--model", dir.toString(), "--input", missing.toString()));
        assertEquals("recipe generate: input file not found: " + missing + "\n", err.toString());
        err.getBuffer().setLength(0);
        assertEquals(1, run("generate", "--model", dir.toString(), "--prompt", "ABC"));
        assertTrue(err.toString().startsWith("recipe generate: ") && err.toString().contains("'A'"), err.toString());
        assertEquals("", out.toString());
    }
}
