package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grpo and eval stages, like sft and dpo, can start from any checkpoint directory given as {@code model}. */
class StartModelTest {
    @Test
    void evalAndGrpoStartFromAnExplicitCheckpoint(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        Path base = dir.resolve("base-model");
        String stages = """
                  - sft:
                      dataset: ${run_dir}/data/arith-sft.jsonl
                      training: {max_steps: 1, batch_size: 4, learning_rate: 0.01}
                      num_threads: 1
                  - eval:
                      dataset: ${run_dir}/data/arith-test.jsonl
                      model: %s
                      label: explicit base
                      max_new_tokens: 8
                      num_threads: 1
                  - eval:
                      dataset: ${run_dir}/data/arith-test.jsonl
                      label: after sft
                      max_new_tokens: 8
                      num_threads: 1
                """.formatted(base);
        assertEquals(0, t.run("run", t.write(stages).toString()), t.err.toString());
        ObjectMapper json = new ObjectMapper();
        assertEquals(base.toString(), json.readTree(t.runDir().resolve("stages/02-eval/eval.json").toFile())
                .path("model").asText());
        assertEquals(t.runDir().resolve("stages/01-sft/final").toString(),
                json.readTree(t.runDir().resolve("stages/03-eval_2/eval.json").toFile()).path("model").asText());

        Path missing = dir.resolve("no-such-model");
        String grpo = """
                  - grpo:
                      dataset: ${run_dir}/data/arith-train.jsonl
                      model: %s
                      steps: 1
                """.formatted(missing);
        assertEquals(1, t.run("run", t.write(grpo).toString(), "--overwrite"));
        assertTrue(t.err.toString().contains("model: " + missing + " is not a checkpoint directory"), t.err.toString());
        assertTrue(Files.isDirectory(base));
    }
}
