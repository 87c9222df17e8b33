package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.recipes.report.MetricsLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bundled r1.yaml end to end, shrunk with {@code --set}; and a recipe without the SFT stages. The rejection and
 * preference stages score with the test verifier {@code digits_then_huge} (share of digits), because a model
 * trained for seconds solves no arithmetic and would leave them without data.
 */
class R1RecipeTest {
    static final List<String> EVAL_LABELS = List.of("base", "cold-start sft", "grpo", "rs sft", "dpo");

    @Test
    void runsEveryStageOfTheBundledRecipe(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        List<String> args = new ArrayList<>(List.of("run", "r1.yaml", "--set", "run_dir=" + t.runDir(),
                "--set", "model.init=" + dir.resolve("base-model")));
        for (String kv : List.of(
                "stages[0].pretrain.corpus_size=300", "stages[0].pretrain.train_size=40",
                "stages[0].pretrain.test_size=12", "stages[0].pretrain.sft_size=24",
                "stages[0].pretrain.hidden_size=16", "stages[0].pretrain.intermediate_size=32",
                "stages[0].pretrain.num_layers=1", "stages[0].pretrain.num_heads=2",
                "stages[0].pretrain.num_kv_heads=1", "stages[0].pretrain.steps=6", "stages[0].pretrain.batch_size=8",
                "stages[0].pretrain.warmup_steps=1",
                "stages[2].sft.training.max_steps=2", "stages[2].sft.training.batch_size=4",
                "stages[4].grpo.steps=2", "stages[4].grpo.group_size=2", "stages[4].grpo.prompts_per_step=2",
                "stages[4].grpo.max_new_tokens=8",
                "stages[6].rejection_sample.verifiers=[digits_then_huge]", "stages[6].rejection_sample.threshold=0.25",
                "stages[6].rejection_sample.format=null", "stages[6].rejection_sample.drop_truncated=false",
                "stages[6].rejection_sample.max_new_tokens=6", "stages[6].rejection_sample.dataset.limit=8",
                "stages[6].rejection_sample.samples_per_prompt=3", "stages[6].rejection_sample.temperature=1.5",
                "stages[7].sft.training.max_steps=2", "stages[7].sft.training.batch_size=4",
                "stages[9].dpo.verifiers=[digits_then_huge]", "stages[9].dpo.threshold=0.25",
                "stages[9].dpo.max_new_tokens=6", "stages[9].dpo.dataset.limit=8", "stages[9].dpo.samples_per_prompt=4", "stages[9].dpo.temperature=1.5",
                "stages[9].dpo.training.max_steps=2")) {
            args.addAll(List.of("--set", kv));
        }
        for (int i : new int[] {1, 3, 5, 8, 10}) args.addAll(List.of("--set", "stages[" + i + "].eval.max_new_tokens=8"));
        assertEquals(0, t.run(dev.r1j.recipes.report.ProgressFactory.none(), args), t.err.toString());

        Set<String> stages = new LinkedHashSet<>();
        for (ObjectNode n : MetricsLog.read(t.runDir().resolve("metrics.jsonl"))) stages.add(n.get("stage").asText());
        assertTrue(stages.containsAll(List.of("pretrain", "sft", "grpo", "rejection_sample", "sft_2", "dpo")), stages.toString());
        assertTrue(Files.size(t.runDir().resolve("data/rs.jsonl")) > 0);
        for (String s : List.of("02-sft", "04-grpo", "07-sft_2", "09-dpo")) {
            assertTrue(Files.isRegularFile(t.runDir().resolve("stages").resolve(s).resolve("final/config.json")), s);
        }
        JsonNode results = results(t.runDir());
        for (String label : EVAL_LABELS) {
            JsonNode r = results.get(label);
            assertTrue(r != null && r.get("accuracy").isNumber() && r.get("completion_len_mean").isNumber(),
                    label + " in " + results);
        }
        assertTrue(results.get("rejection sampling").get("acceptance_rate").isNumber(), results.toString());
        String header = t.out.toString().lines().filter(l -> l.startsWith("metric")).findFirst().orElse("");
        for (String label : EVAL_LABELS) assertTrue(header.contains(label), header);
    }

    @Test
    void aRecipeWithoutTheSftStagesRuns(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String stages = """
                  - eval: {dataset: "${run_dir}/data/arith-test.jsonl", max_new_tokens: 8, label: base}
                  - grpo: {dataset: "${run_dir}/data/arith-train.jsonl", steps: 2, group_size: 2, prompts_per_step: 2, max_new_tokens: 8}
                  - rejection_sample: {dataset: {path: "${run_dir}/data/arith-train.jsonl", limit: 8}, verifiers: [digits_then_huge], threshold: 0.25, format: null, drop_truncated: false, samples_per_prompt: 2, max_new_tokens: 6}
                  - dpo: {dataset: {path: "${run_dir}/data/arith-train.jsonl", limit: 8}, verifiers: [digits_then_huge], threshold: 0.25, samples_per_prompt: 4, max_new_tokens: 6, temperature: 1.5, training: {max_steps: 2}}
                  - eval: {dataset: "${run_dir}/data/arith-test.jsonl", max_new_tokens: 8, label: end}
                """;
        assertEquals(0, t.run("run", t.write(stages).toString()), t.err.toString());
        JsonNode results = results(t.runDir());
        assertTrue(results.has("base") && results.has("end") && results.has("rejection_sample"), results.toString());
        JsonNode eval = new ObjectMapper().readTree(t.runDir().resolve("stages/05-eval_2/eval.json").toFile());
        assertEquals(t.runDir().resolve("stages/04-dpo/final").toString(), eval.get("model").asText());
    }

    static JsonNode results(Path run) throws Exception {
        JsonNode r = new ObjectMapper().readTree(run.resolve("results.json").toFile());
        return r.has("results") ? r.get("results") : r;
    }
}
