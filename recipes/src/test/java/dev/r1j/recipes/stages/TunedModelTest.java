package dev.r1j.recipes.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.Djl;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.LoadedModel;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.LoraConfig;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link TunedModel} sets up: the trainable weights, the LoRA reference, and the options it refuses. */
class TunedModelTest {
    private static final LoraConfig LORA = new LoraConfig(2, 4, 0, List.of("all-linear"), false);

    private static Path base(Path dir) {
        System.setProperty("r1j.fsync", "false");
        var tok = ArithmeticVocabulary.tokenizer();
        try (NDManager m = Djl.newManager(); Transformer t = Transformer.create(ModelConfig.tinyQwen2(tok.vocabSize()), m, 3)) {
            Checkpoint.save(dir, t, tok);
        }
        return dir;
    }

    @Test
    void theLoraReferenceIsTheBaseWithAdaptersOffWhileThePolicyMoves(@TempDir Path dir) {
        Path start = base(dir.resolve("base"));
        try (TunedModel tuned = TunedModel.open(new ModelTuning(LORA, false, true), ai.djl.Device.cpu(), start, null, 1);
                NDManager m = Djl.newManager();
                LoadedModel base = Checkpoint.load(start, m)) {
            assertEquals(tuned.adapters().parameters().keySet(), tuned.model().trainableParameters().keySet());
            float[] before = logits(tuned.model(), m);
            assertEquals(0, maxDiff(before, logits(base.model(), m)), 1e-6, "B = 0: the adapted model is the base");
            // move the adapters as training would
            Djl.withoutGradients(() -> {
                tuned.adapters().parameters().forEach((k, v) -> {
                    if (k.endsWith("lora_B.weight")) v.addi(m.randomNormal(0, 0.5f, v.getShape(), v.getDataType()));
                });
                return null;
            });
            CausalLM reference = tuned.loraReference();
            assertSame(tuned.model().parameters().get("model.embed_tokens.weight"),
                    reference.parameters().get("model.embed_tokens.weight"), "no copy of the base");
            assertEquals(0, maxDiff(logits(reference, m), logits(base.model(), m)), 1e-6);
            assertTrue(maxDiff(logits(tuned.model(), m), logits(base.model(), m)) > 1e-3, "the policy moved");
        }
    }

    @Test
    void fullFineTuningTrainsEveryWeightAndHasNoLoraReference(@TempDir Path dir) {
        Path start = base(dir.resolve("base"));
        try (TunedModel tuned = TunedModel.open(new ModelTuning(null, false, false), ai.djl.Device.cpu(), start, null, 1)) {
            assertNull(tuned.adapters());
            assertNull(tuned.loraReference());
            assertEquals(tuned.model().parameters().keySet(), tuned.model().trainableParameters().keySet());
        }
    }

    @Test
    void optionsThatCannotWorkTogetherAreRefused() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ModelTuning(null, true, false)).getMessage().contains("merge: true needs a lora block"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new ModelTuning(
                new LoraConfig(2, 4, 0.1, List.of("q_proj"), false), false, true))
                .getMessage().contains("lora.dropout > 0 cannot be combined with gradient_checkpointing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new EngineOptions(0, "tpu")).getMessage()
                .contains("expected auto, cpu, cuda or cuda:N, got 'tpu'"));
    }

    private static float[] logits(CausalLM model, NDManager m) {
        try (NDManager s = m.newSubManager()) {
            NDArray ids = s.create(new long[] {1, 5, 9, 12, 7, 3}, new Shape(1, 6));
            return Djl.withoutGradients(() -> model.forward(ids, s.ones(ids.getShape(), DataType.INT64), null).toFloatArray());
        }
    }

    private static double maxDiff(float[] x, float[] y) {
        double d = 0;
        for (int i = 0; i < x.length; i++) d = Math.max(d, Math.abs(x[i] - y[i]));
        return d;
    }
}
