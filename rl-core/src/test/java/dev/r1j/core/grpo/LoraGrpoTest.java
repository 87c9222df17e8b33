package dev.r1j.core.grpo;

import dev.r1j.core.testing.RootManager;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.data.EpochCursor;
import dev.r1j.core.io.SafeTensors;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.LoraConfig;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GRPO with LoRA: the reference is the base with adapters off, and a resume from PEFT files continues exactly. */
class LoraGrpoTest {
    private static final String ALPHA = "abcdefgh";
    private static final List<Prompt> PROMPTS =
            List.of("a", "b", "c", "d").stream().map(p -> new Prompt(p, Map.of())).toList();
    private static final LoraConfig LORA = new LoraConfig(4, 8, 0, List.of("q_proj", "v_proj", "down_proj"), false);
    private @RootManager static NDManager root;

    private static GrpoConfig config(int steps) {
        return GrpoConfig.builder().groupSize(4).maxNewTokens(3).promptsPerStep(2).learningRate(0.05).beta(0.1)
                .numIterations(2).steps(steps).seed(3).build();
    }

    private static Map<String, float[]> snapshot(Map<String, NDArray> params) {
        Map<String, float[]> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void aResumeFromPeftFilesMatchesAnUninterruptedRun(@TempDir Path dir) {
        Map<String, float[]> uninterrupted;
        float[] baseBefore;
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                LoraAdapters adapters = LoraAdapters.create(model, LORA, 1)) {
            baseBefore = model.parameters().get("model.layers.0.self_attn.q_proj.weight").toFloatArray();
            model.setAdapters(adapters);
            try (GrpoTrainer trainer = new GrpoTrainer(model, model.withoutAdapters(), new CharSampler(model, ALPHA),
                    GrpoTrainerTest.STARTS_WITH_E, config(2))) {
                List<GrpoStepMetrics> ms = trainer.train(new PromptSource(PROMPTS, 3), null);
                assertTrue(ms.get(1).kl() > 0, "the adapted policy drifts from the base: kl " + ms.get(1).kl());
                assertEquals(2 * 3 * 2 * 2, trainer.optimizer().state(root).size() - 1,
                        "optimizer state: two moments for each A and B of 2 layers x 3 modules");
            }
            uninterrupted = snapshot(adapters.parameters());
            assertArrayEquals(baseBefore, model.parameters().get("model.layers.0.self_attn.q_proj.weight").toFloatArray(),
                    0f, "the base weights never change");
        }

        EpochCursor.Position position;
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                LoraAdapters adapters = LoraAdapters.create(model, LORA, 1);
                NDManager m = root.newSubManager()) {
            model.setAdapters(adapters);
            PromptSource src = new PromptSource(PROMPTS, 3);
            try (GrpoTrainer trainer = new GrpoTrainer(model, model.withoutAdapters(), new CharSampler(model, ALPHA),
                    GrpoTrainerTest.STARTS_WITH_E, config(2))) {
                trainer.step(src);
                adapters.save(dir, "tiny");
                SafeTensors.write(dir.resolve("optimizer.safetensors"), trainer.optimizer().state(m));
            }
            position = src.cursor();
        }

        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(ALPHA.length()), root, 7);
                LoraAdapters adapters = LoraAdapters.load(dir, model);
                NDManager m = root.newSubManager()) {
            model.setAdapters(adapters);
            PromptSource src = new PromptSource(PROMPTS, 3);
            src.seek(position);
            try (GrpoTrainer trainer = new GrpoTrainer(model, model.withoutAdapters(), new CharSampler(model, ALPHA),
                    GrpoTrainerTest.STARTS_WITH_E, config(2))) {
                trainer.restore(1, SafeTensors.read(dir.resolve("optimizer.safetensors"), m), 0);
                trainer.train(src, null);
            }
            Map<String, float[]> resumed = snapshot(adapters.parameters());
            assertEquals(uninterrupted.keySet(), resumed.keySet());
            for (String k : uninterrupted.keySet()) assertArrayEquals(uninterrupted.get(k), resumed.get(k), 0f, k);
        }
    }
}
