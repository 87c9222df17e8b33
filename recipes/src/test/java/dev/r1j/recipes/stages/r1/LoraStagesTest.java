package dev.r1j.recipes.stages.r1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.io.SafeTensors;
import dev.r1j.core.io.TrainingCheckpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LoRA, merge, gradient checkpointing and device through recipes, on the tiny pretrained llama (hidden 16, 1 layer):
 * what each stage writes, what the next stage reads, resume, and the bad-input errors.
 */
class LoraStagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EVAL = """
              - eval:
                  dataset: ${run_dir}/data/arith-test.jsonl
                  max_new_tokens: 6
                  num_threads: 1
            """;

    private static String sft(String extra) {
        return """
                  - sft:
                      dataset: ${run_dir}/data/arith-sft.jsonl
                      eval_fraction: 0
                      training: {max_steps: 3, batch_size: 2, max_length: 96, learning_rate: 0.05, save_every: 2}
                      num_threads: 1
                """ + extra;
    }

    @Test
    void sftWithLoraHandsOnItsAdapterWhichTheNextStageReadsAsTheBaseWithTheAdapterMergedIn(@TempDir Path dir)
            throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String lora = "      lora: {r: 2, alpha: 4, target_modules: [q_proj, v_proj, down_proj]}\n";
        assertEquals(0, t.run("run", t.write(sft(lora) + EVAL).toString()), t.err.toString());
        Path stage = t.runDir().resolve("stages/01-sft");
        Path adapter = stage.resolve("final/adapter");
        assertFalse(Files.exists(stage.resolve("final/config.json")), "no merge: no full checkpoint");

        // PEFT's layout: config fields and tensor names/shapes (A [r, in], B [out, r])
        JsonNode cfg = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals("LORA", cfg.get("peft_type").asText());
        assertEquals(2, cfg.get("r").asInt());
        assertEquals(4.0, cfg.get("lora_alpha").asDouble());
        assertEquals(dir.resolve("base-model").toAbsolutePath().normalize().toString(),
                cfg.get("base_model_name_or_path").asText());
        Map<String, float[]> a = new LinkedHashMap<>();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (NDManager m = Djl.newManager()) {
            SafeTensors.read(adapter.resolve("adapter_model.safetensors"), m).forEach((k, v) -> {
                a.put(k, v.toFloatArray());
                shapes.put(k, v.getShape().getShape());
            });
        }
        String p = "base_model.model.model.layers.0.";
        assertEquals(new TreeSet<>(List.of(p + "self_attn.q_proj.lora_A.weight", p + "self_attn.q_proj.lora_B.weight",
                p + "self_attn.v_proj.lora_A.weight", p + "self_attn.v_proj.lora_B.weight",
                p + "mlp.down_proj.lora_A.weight", p + "mlp.down_proj.lora_B.weight")), new TreeSet<>(a.keySet()));
        assertEquals(List.of(2L, 16L), box(shapes.get(p + "self_attn.q_proj.lora_A.weight")));
        assertEquals(List.of(16L, 2L), box(shapes.get(p + "mlp.down_proj.lora_B.weight")));
        assertEquals(List.of(2L, 32L), box(shapes.get(p + "mlp.down_proj.lora_A.weight")));
        assertTrue(maxAbs(a.get(p + "self_attn.q_proj.lora_B.weight")) > 0, "B starts at zero and was trained");

        // the training checkpoint holds the adapter and its optimizer state only, no base weights
        Path ckpt = stage.resolve("checkpoint");
        assertTrue(TrainingCheckpoint.hasAdapter(ckpt));
        assertFalse(Files.exists(ckpt.resolve("model.safetensors")));
        try (NDManager m = Djl.newManager()) {
            Set<String> names = SafeTensors.read(ckpt.resolve("optimizer.safetensors"), m).keySet();
            assertEquals(13, names.size(), names.toString()); // 6 adapter tensors x 2 moments + step
            for (String n : names) assertTrue(n.equals("step") || n.contains(".lora_"), n);
        }

        // the eval stage read the adapter directory
        JsonNode eval = JSON.readTree(t.runDir().resolve("stages/02-eval/eval.json").toFile());
        assertEquals(adapter.toString(), eval.get("model").asText());

        // reading it = the base's weights plus (alpha / r) B A, merged here by hand in double precision
        try (NDManager m = Djl.newManager();
                LoadedModel base = Checkpoint.load(dir.resolve("base-model"), m);
                LoadedModel read = Checkpoint.load(adapter, m)) {
            LinkedHashMap<String, NDArray> byHand = new LinkedHashMap<>();
            for (Map.Entry<String, NDArray> e : base.model().parameters().entrySet()) {
                String module = e.getKey().replaceFirst("\\.weight$", "");
                float[] aw = a.get("base_model.model." + module + ".lora_A.weight");
                if (aw == null) {
                    byHand.put(e.getKey(), e.getValue().duplicate());
                    continue;
                }
                float[] bw = a.get("base_model.model." + module + ".lora_B.weight");
                long[] s = e.getValue().getShape().getShape();
                float[] w = e.getValue().toFloatArray();
                int out = (int) s[0], in = (int) s[1];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double d = 0;
                        for (int k = 0; k < 2; k++) d += (double) bw[o * 2 + k] * aw[k * in + i];
                        w[o * in + i] = (float) (w[o * in + i] + 4.0 / 2 * d);
                    }
                }
                byHand.put(e.getKey(), m.create(w, new Shape(s)));
            }
            try (Transformer expected = Transformer.fromParameters(base.model().config(), m, byHand)) {
                float[] want = logits(expected, m), got = logits(read.model(), m), before = logits(base.model(), m);
                assertEquals(0, maxDiff(want, got), 1e-4);
                assertTrue(maxDiff(before, got) > 1e-3, "the adapter changes the model");
            }
        }
    }

    @Test
    void mergeTrueWritesAFullCheckpointEqualToTheBaseWithTheAdapter(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String lora = "      lora: {r: 2, alpha: 8, target_modules: [all-linear]}\n      merge: true\n"
                + "      gradient_checkpointing: true\n";
        assertEquals(0, t.run("run", t.write(sft(lora) + EVAL).toString()), t.err.toString());
        Path fin = t.runDir().resolve("stages/01-sft/final");
        assertTrue(Files.isRegularFile(fin.resolve("config.json")));
        assertTrue(Files.isRegularFile(fin.resolve("adapter/adapter_model.safetensors")));
        JsonNode eval = JSON.readTree(t.runDir().resolve("stages/02-eval/eval.json").toFile());
        assertEquals(fin.toString(), eval.get("model").asText(), "the merged checkpoint is the next stage's input");
        try (NDManager m = Djl.newManager();
                LoadedModel merged = Checkpoint.load(fin, m);
                LoadedModel viaAdapter = Checkpoint.load(fin.resolve("adapter"), m);
                LoadedModel base = Checkpoint.load(dir.resolve("base-model"), m)) {
            float[] x = logits(merged.model(), m);
            assertEquals(0, maxDiff(x, logits(viaAdapter.model(), m)), 1e-5);
            assertTrue(maxDiff(x, logits(base.model(), m)) > 1e-3, "training moved the model");
        }
    }

    @Test
    void aResumedLoraGrpoRunWithAReferenceMatchesAnUninterruptedOne(@TempDir Path dir) throws Exception {
        String grpo = """
                  - grpo:
                      dataset: ${run_dir}/data/arith-train.jsonl
                      verifiers: [digits_then_huge]
                      steps: 4
                      group_size: 3
                      prompts_per_step: 2
                      max_new_tokens: 8
                      temperature: 1.5
                      beta: 0.2
                      learning_rate: 0.05
                      checkpoint_every: 2
                      log_completions_every: 0
                      num_threads: 1
                      lora: {r: 2, alpha: 8, target_modules: [all-linear]}
                      gradient_checkpointing: true
                """;
        TinyRecipe straight = new TinyRecipe(dir.resolve("straight"));
        assertEquals(0, straight.run("run", straight.write(grpo).toString()), straight.err.toString());
        TinyRecipe broken = new TinyRecipe(dir.resolve("broken"));
        String recipe = broken.write(grpo).toString();
        assertEquals(1, broken.run(SftStageTest.crashAtStep("grpo", 3), List.of("run", recipe)));
        Path ckpts = broken.runDir().resolve("stages/01-grpo/checkpoints");
        assertTrue(TrainingCheckpoint.hasAdapter(ckpts.resolve("step-000002")));
        assertEquals(0, broken.run("run", recipe, "--resume"), broken.err.toString());
        assertTrue(broken.out.toString().contains("(step 2)"), broken.out.toString());

        List<ObjectNode> x = SftStageTest.lines(straight.runDir(), "grpo"), y = SftStageTest.lines(broken.runDir(), "grpo");
        assertEquals(4, x.size());
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) assertEquals(strip(x.get(i)), strip(y.get(i)), "step " + (i + 1));
        assertTrue(x.get(3).get("kl").asDouble() > 0, "the adapted policy left the base reference: " + x.get(3));
        assertNotEquals(x.get(0).get("loss"), x.get(3).get("loss"));
        String file = "stages/01-grpo/final/adapter/adapter_model.safetensors";
        assertTrue(java.util.Arrays.equals(Files.readAllBytes(straight.runDir().resolve(file)),
                Files.readAllBytes(broken.runDir().resolve(file))), "the same adapter at the end");
    }

    @Test
    void aResumedLoraDpoRunMatchesAnUninterruptedOne(@TempDir Path dir) throws Exception {
        String dpo = """
                  - dpo:
                      dataset: ${run_dir}/data/arith-train.jsonl
                      verifiers: [digits_then_huge]
                      threshold: 0.25
                      samples_per_prompt: 6
                      max_pairs_per_prompt: 2
                      max_new_tokens: 6
                      temperature: 1.5
                      loss_type: dpo
                      training: {max_steps: 4, batch_size: 4, max_length: 64, learning_rate: 0.05, save_every: 2}
                      num_threads: 1
                      lora: {r: 2, alpha: 8, target_modules: [q_proj, v_proj]}
                """;
        TinyRecipe straight = new TinyRecipe(dir.resolve("straight"));
        assertEquals(0, straight.run("run", straight.write(dpo).toString()), straight.err.toString());
        TinyRecipe broken = new TinyRecipe(dir.resolve("broken"));
        String recipe = broken.write(dpo).toString();
        assertEquals(1, broken.run(SftStageTest.crashAtStep("dpo", 3), List.of("run", recipe)));
        assertEquals(0, broken.run("run", recipe, "--resume"), broken.err.toString());
        List<ObjectNode> x = SftStageTest.lines(straight.runDir(), "dpo"), y = SftStageTest.lines(broken.runDir(), "dpo");
        assertEquals(5, x.size()); // pair building (step 0) + 4 steps
        assertEquals(x.size(), y.size());
        for (int i = 0; i < x.size(); i++) assertEquals(strip(x.get(i)), strip(y.get(i)), "line " + i);
        // at step 1 the adapted policy (B = 0) equals the reference, the base with adapters off
        assertEquals(Math.log(2), x.get(1).get("loss").asDouble(), 1e-4);
        assertNotEquals(x.get(1).get("loss"), x.get(4).get("loss"));
    }

    @Test
    void aTargetMatchingNoModuleListsTheModelsModuleNames(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String lora = "      lora: {target_modules: [qkv_proj]}\n";
        assertEquals(1, t.run("run", t.write(sft(lora)).toString()));
        String err = t.err.toString();
        assertTrue(err.contains("lora.target_modules: 'qkv_proj' matches no module of this llama model; its linear "
                + "modules are named q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"), err);
    }

    @Test
    void anAdapterWhoseBaseShapeDisagreesNamesTheTensorAndBothShapes(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        String lora = "      lora: {r: 2, alpha: 4, target_modules: [q_proj]}\n";
        assertEquals(0, t.run("run", t.write(sft(lora)).toString()), t.err.toString());
        // the same adapter pointed at another base: a width-32 llama with the same vocabulary
        Path other = dir.resolve("other-base");
        var tok = ArithmeticVocabulary.tokenizer();
        try (NDManager m = Djl.newManager(); Transformer w = Transformer.create(ModelConfig.tinyLlama(tok.vocabSize()), m, 1)) {
            Checkpoint.save(other, w, tok);
        }
        Path moved = dir.resolve("moved-adapter");
        Files.createDirectories(moved);
        Path adapter = t.runDir().resolve("stages/01-sft/final/adapter");
        Files.copy(adapter.resolve("adapter_model.safetensors"), moved.resolve("adapter_model.safetensors"));
        ObjectNode cfg = (ObjectNode) JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        cfg.put("base_model_name_or_path", other.toString());
        Files.writeString(moved.resolve("adapter_config.json"), cfg.toString());

        TinyRecipe next = new TinyRecipe(dir.resolve("next"));
        String stages = EVAL.replace("- eval:\n", "- eval:\n      model: " + moved + "\n");
        assertEquals(1, next.run("run", next.write(stages).toString()));
        String err = next.err.toString();
        assertTrue(err.contains("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_") && err.contains(
                "but the base weight 'model.layers.0.self_attn.q_proj.weight' has shape [32, 32]"), err);
        assertTrue(err.matches("(?s).*has shape \\[(2, 16|16, 2)\\] but.*"), err);
    }

    @Test
    void aCudaDeviceOnAMachineWithoutOneIsOneLineBeforeAnyWork(@TempDir Path dir) throws Exception {
        assumeTrue(Djl.engine().getGpuCount() == 0, "this machine has a GPU");
        TinyRecipe t = new TinyRecipe(dir);
        assertEquals(1, t.run("run", t.write(sft("      device: cuda\n")).toString()));
        String err = t.err.toString().trim();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains("stages[1].sft: device: cuda requested but PyTorch sees no CUDA GPU"), err);
        assertFalse(Files.exists(dir.resolve("base-model")), "nothing ran, not even the pretrain stage");

        TinyRecipe cli = new TinyRecipe(dir.resolve("cli"));
        assertEquals(1, cli.run("generate", "--model", dir.resolve("nothing").toString(), "--prompt", "1+1=",
                "--device", "cuda:1"));
        String line = cli.err.toString().trim();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.contains("--device: cuda:1 requested but PyTorch sees no CUDA GPU"), line);
    }

    @Test
    void mergeWithoutLoraIsRefusedAtItsKey(@TempDir Path dir) throws Exception {
        TinyRecipe t = new TinyRecipe(dir);
        assertEquals(1, t.run("run", t.write(sft("      merge: true\n")).toString()));
        assertTrue(t.err.toString().contains("merge: true needs a lora block"), t.err.toString());
    }

    private static float[] logits(dev.r1j.core.model.CausalLM model, NDManager m) {
        try (NDManager s = m.newSubManager()) {
            NDArray ids = s.create(new long[] {1, 5, 9, 12, 7, 3, 14}, new Shape(1, 7));
            return Djl.withoutGradients(() -> model.forward(ids, s.ones(ids.getShape(), ai.djl.ndarray.types.DataType.INT64),
                    null).toFloatArray());
        }
    }

    private static double maxDiff(float[] x, float[] y) {
        assertEquals(x.length, y.length);
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }

    private static double maxAbs(float[] x) {
        double d = 0;
        for (float v : x) d = Math.max(d, Math.abs(v));
        return d;
    }

    private static List<Long> box(long[] s) {
        return java.util.Arrays.stream(s).boxed().toList();
    }

    private static ObjectNode strip(ObjectNode n) {
        ObjectNode c = n.deepCopy();
        c.remove(Set.of("elapsed_s", "tokens_per_s", "time_generation_s", "time_reward_s", "time_logprob_s",
                "time_update_s"));
        return c;
    }
}
