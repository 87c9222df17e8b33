package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.recipes.cli.Main;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled gsm8k-grpo recipe: it validates, and it runs a step end to end on a tiny model saved in the Hugging Face
 * layout (a word-level tokenizer.json over the characters of GSM8K, with a chat template in tokenizer_config.json).
 */
class Gsm8kRecipeTest {
    static final String CHAT = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}"
            + "{% if add_generation_prompt %}<|assistant|>{% endif %}";

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        Main main = new Main(StageRegistry::defaultRegistry, ProgressFactory.none());
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }

    static Path benchmark(String name) {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path f = p.resolve("data/benchmarks").resolve(name);
            if (Files.isRegularFile(f)) return f;
        }
        throw new IllegalStateException("data/benchmarks/" + name + " not found");
    }

    @Test
    void validatesWithADryRun(@TempDir Path dir) {
        assertEquals(0, run("run", "gsm8k-grpo.yaml", "--dry-run", "--set", "run_dir=" + dir.resolve("run"),
                "--set", "model.init=/models/Qwen2.5-0.5B-Instruct"), err.toString());
        assertTrue(out.toString().contains("gsm8k_train.jsonl"), out.toString());
    }

    @Test
    void runsOneStepOnATinyHuggingFaceLayoutModel(@TempDir Path dir) throws Exception {
        System.setProperty("r1j.fsync", "false");
        Path train = benchmark("gsm8k_train.jsonl"), test = benchmark("gsm8k_test.jsonl");
        StringBuilder questions = new StringBuilder();
        ObjectMapper json = new ObjectMapper();
        for (Path f : List.of(train, test)) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                questions.append(json.readTree(line).get("question").asText());
            }
        }
        String text = questions + CHAT + "Think step by step inside <think> </think>, then give only the final number inside "
                + "<answer> </answer>.|\n";
        String alphabet = text.codePoints().distinct().sorted().filter(c -> !Character.isISOControl(c) || c == '\n')
                .mapToObj(Character::toString).collect(Collectors.joining());
        CharTokenizer tok = new CharTokenizer(alphabet, CHAT);
        Path model = dir.resolve("tiny-hf");
        try (NDManager m = Djl.newManager();
             Transformer t = Transformer.create(ModelConfig.llama(tok.vocabSize(), 16, 32, 1, 2, 1, 1024), m, 3)) {
            Checkpoint.save(model, t, tok);
        }
        String[] shrink = {
            "--set", "run_dir=" + dir.resolve("run"), "--set", "model.init=" + model,
            "--set", "stages[0].eval.dataset.path=" + test, "--set", "stages[0].eval.dataset.limit=2",
            "--set", "stages[0].eval.max_new_tokens=8",
            "--set", "stages[1].grpo.dataset.path=" + train, "--set", "stages[1].grpo.dataset.limit=3",
            "--set", "stages[1].grpo.steps=1", "--set", "stages[1].grpo.group_size=2",
            "--set", "stages[1].grpo.prompts_per_step=1", "--set", "stages[1].grpo.max_new_tokens=8",
            "--set", "stages[1].grpo.warmup_steps=0",
            "--set", "stages[2].eval.dataset.path=" + test, "--set", "stages[2].eval.dataset.limit=2",
            "--set", "stages[2].eval.max_new_tokens=8"};
        String[] args = new String[shrink.length + 2];
        args[0] = "run";
        args[1] = "gsm8k-grpo.yaml";
        System.arraycopy(shrink, 0, args, 2, shrink.length);
        assertEquals(0, run(args), err.toString());

        Path run = dir.resolve("run");
        List<com.fasterxml.jackson.databind.node.ObjectNode> grpo = MetricsLog.read(run.resolve("metrics.jsonl"));
        assertEquals(1, grpo.stream().filter(n -> n.get("stage").asText().equals("grpo")).count());
        JsonNode eval = new ObjectMapper().readTree(run.resolve("stages/00-eval/eval.json").toFile());
        assertEquals(2, eval.get("problems").asInt());
        // the chat template wrapped the GSM8K question, and the answer was read from "#### N"
        JsonNode first = eval.get("completions").get(0);
        assertTrue(first.get("prompt").asText().startsWith("<|user|>Janet"), first.toString());
        assertTrue(first.get("prompt").asText().endsWith("</answer>.\n<|assistant|>"), first.toString());
        assertEquals("18", first.get("answer").asText());
        assertTrue(out.toString().contains("after grpo"), out.toString());
    }
}
