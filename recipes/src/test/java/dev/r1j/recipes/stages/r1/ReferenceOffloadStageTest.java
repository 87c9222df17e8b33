package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reference_offload: true} on a full fine-tuning grpo stage with a KL term: the reference is reread from the
 * start checkpoint for each reference pass, and the run is the resident reference's, metrics and final weights
 * bit for bit.
 */
class ReferenceOffloadStageTest {
    private static final String GRPO = """
              - grpo:
                  dataset: ${run_dir}/data/arith-train.jsonl
                  verifiers: [digits_then_huge]
                  steps: 3
                  group_size: 3
                  prompts_per_step: 2
                  max_new_tokens: 8
                  temperature: 1.5
                  beta: 0.2
                  learning_rate: 0.05
                  log_completions_every: 0
                  num_threads: 1
            """;

    @Test
    void anOffloadedReferenceGivesTheResidentReferencesRun(@TempDir Path dir) throws Exception {
        TinyRecipe resident = new TinyRecipe(dir.resolve("resident"));
        assertEquals(0, resident.run("run", resident.write(GRPO).toString()), resident.err.toString());
        TinyRecipe offloaded = new TinyRecipe(dir.resolve("offloaded"));
        assertEquals(0, offloaded.run("run", offloaded.write(GRPO + "      reference_offload: true\n")
                .toString()), offloaded.err.toString());
        assertTrue(offloaded.out.toString().contains("reference_offload: the reference is read from"),
                offloaded.out.toString());
        assertTrue(!resident.out.toString().contains("reference_offload"), resident.out.toString());

        List<ObjectNode> x = SftStageTest.lines(resident.runDir(), "grpo");
        List<ObjectNode> y = SftStageTest.lines(offloaded.runDir(), "grpo");
        assertEquals(3, x.size());
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) assertEquals(strip(x.get(i)), strip(y.get(i)), "step " + (i + 1));
        assertTrue(x.get(2).get("kl").asDouble() > 0, "the policy left the reference: " + x.get(2));
        String file = "stages/01-grpo/final/model.safetensors";
        assertArrayEquals(Files.readAllBytes(resident.runDir().resolve(file)),
                Files.readAllBytes(offloaded.runDir().resolve(file)), "the same weights at the end");
    }

    private static ObjectNode strip(ObjectNode n) {
        ObjectNode c = n.deepCopy();
        c.remove(Set.of("elapsed_s", "tokens_per_s", "time_generation_s", "time_reward_s", "time_logprob_s",
                "time_update_s"));
        return c;
    }
}
