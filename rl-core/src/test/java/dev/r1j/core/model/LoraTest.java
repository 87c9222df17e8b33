package dev.r1j.core.model;

import dev.r1j.core.testing.RootManager;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.optim.AdamW;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA adapters on the {@link Transformer}: numerics against hand-merged weights, PEFT's file layout, errors. */
class LoraTest {
    static final int V = 20;
    @RootManager static NDManager root;

    private static float[] logits(CausalLM model, NDManager m) {
        NDArray ids = m.create(new long[][] {{3, 7, 1, 9, 4, 11}, {0, 0, 5, 2, 8, 6}});
        NDArray mask = m.create(new long[][] {{1, 1, 1, 1, 1, 1}, {0, 0, 1, 1, 1, 1}});
        return model.forward(ids, mask, null).toFloatArray();
    }

    @Test
    void aZeroInitialisedAdapterLeavesLogProbsUnchanged() {
        for (ModelConfig config : List.of(ModelConfig.tinyLlama(V), ModelConfig.tinyDeepSeekV3(V, 12))) {
            try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 3)) {
                float[] base = logits(model, m);
                LoraAdapters a = LoraAdapters.create(model, new LoraConfig(4, 8, 0, List.of("all-linear"), false), 1);
                model.setAdapters(a);
                assertEquals(LoraAdapters.linearModules(config).size(), a.modules().size());
                NDArray someA = a.parameters().get("base_model.model.model.layers.0.self_attn.o_proj.lora_A.weight");
                assertTrue(someA.abs().max().getFloat() > 0, "A is initialised at random, only B at zero");
                assertArrayEquals(base, logits(model, m), 0f, config.modelType());
            }
        }
    }

    /**
     * A PEFT adapter file written here byte by byte (safetensors: 8-byte little-endian header length, JSON header,
     * raw little-endian F32) with known values gives the logits of the base model with hand-merged weights
     * {@code W + alpha / r * B A}, and {@link Transformer#mergedParameters} is that merge.
     */
    @Test
    void anAdapterFileWrittenByHandGivesTheLogitsOfTheHandMergedWeights(@TempDir Path dir) throws IOException {
        ModelConfig config = ModelConfig.tinyLlama(V);
        int r = 2;
        double alpha = 6; // scaling 3
        String[] modules = {"model.layers.0.self_attn.q_proj", "model.layers.1.mlp.down_proj"};
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(config, m, 5)) {
            Map<String, float[]> tensors = new LinkedHashMap<>();
            Map<String, long[]> shapes = new HashMap<>();
            Map<String, float[]> merged = new HashMap<>();
            for (String module : modules) {
                long[] w = model.parameters().get(module + ".weight").getShape().getShape();
                int out = (int) w[0], in = (int) w[1];
                float[] a = new float[r * in];
                float[] b = new float[out * r];
                for (int i = 0; i < a.length; i++) a[i] = (float) (0.01 * ((i * 7) % 11 - 5));
                for (int i = 0; i < b.length; i++) b[i] = (float) (0.02 * ((i * 5) % 13 - 6));
                String pa = "base_model.model." + module + ".lora_A.weight";
                String pb = "base_model.model." + module + ".lora_B.weight";
                tensors.put(pa, a);
                shapes.put(pa, new long[] {r, in});
                tensors.put(pb, b);
                shapes.put(pb, new long[] {out, r});
                float[] base = model.parameters().get(module + ".weight").toFloatArray();
                float[] sum = new float[out * in];
                for (int o = 0; o < out; o++) {
                    for (int i = 0; i < in; i++) {
                        double ba = 0;
                        for (int k = 0; k < r; k++) ba += (double) b[o * r + k] * a[k * in + i];
                        sum[o * in + i] = (float) (base[o * in + i] + alpha / r * ba);
                    }
                }
                merged.put(module + ".weight", sum);
            }
            writeSafetensors(dir.resolve("adapter_model.safetensors"), tensors, shapes);
            Files.writeString(dir.resolve("adapter_config.json"), "{\"peft_type\": \"LORA\", \"r\": 2, \"lora_alpha\": 6,"
                    + " \"lora_dropout\": 0.0, \"target_modules\": [\"q_proj\", \"down_proj\"], \"bias\": \"none\","
                    + " \"task_type\": \"CAUSAL_LM\", \"use_rslora\": false, \"rank_pattern\": {}, \"alpha_pattern\": {}}");

            Map<String, NDArray> handWeights = new LinkedHashMap<>();
            model.parameters().forEach((k, v) -> {
                float[] x = merged.getOrDefault(k, v.toFloatArray());
                handWeights.put(k, m.create(x, v.getShape()));
            });
            float[] want;
            try (Transformer hand = Transformer.fromParameters(config, m, handWeights)) {
                want = logits(hand, m);
            }
            try (LoraAdapters loaded = LoraAdapters.load(dir, model)) {
                assertEquals(List.of(modules), loaded.modules());
                model.setAdapters(loaded);
                assertArrayEquals(want, logits(model, m), 2e-5f);
                Map<String, NDArray> mergedParams = model.mergedParameters(m);
                for (String module : modules) {
                    assertArrayEquals(merged.get(module + ".weight"), mergedParams.get(module + ".weight").toFloatArray(),
                            1e-6f, module);
                }
                model.setAdapters(null);
            }
        }
    }

    private static void writeSafetensors(Path file, Map<String, float[]> tensors, Map<String, long[]> shapes)
            throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (Map.Entry<String, float[]> e : tensors.entrySet()) {
            long[] s = shapes.get(e.getKey());
            long end = offset + 4L * e.getValue().length;
            if (header.length() > 1) header.append(',');
            header.append('"').append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":[").append(s[0]).append(',')
                    .append(s[1]).append("],\"data_offsets\":[").append(offset).append(',').append(end).append("]}");
            offset = end;
        }
        header.append('}');
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.write(h);
        for (float[] t : tensors.values()) {
            ByteBuffer bb = ByteBuffer.allocate(4 * t.length).order(ByteOrder.LITTLE_ENDIAN);
            for (float x : t) bb.putFloat(x);
            out.write(bb.array());
        }
        Files.write(file, out.toByteArray());
    }

    @Test
    void onlyAdaptersGetGradientsAndOptimizerStateAndTheReferenceIsTheBaseWithAdaptersOff(@TempDir Path dir) {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyQwen2(V), m, 9)) {
            float[] base = logits(model, m);
            LoraAdapters a = LoraAdapters.create(model, new LoraConfig(4, 16, 0, List.of("q_proj", "v_proj"), false), 2);
            model.setAdapters(a);
            Transformer reference = model.withoutAdapters();
            try (AdamW opt = new AdamW(model.trainableParameters(), AdamW.Config.defaults(0))) {
                for (int step = 0; step < 2; step++) {
                    try (NDManager s = m.newSubManager(); GradientCollector gc = Djl.engine().newGradientCollector()) {
                        NDArray ids = s.create(new long[][] {{3, 7, 1, 9, 4, 11}});
                        model.backward(gc, LogProbs.tokenLogProbs(model, ids, null).sum().neg());
                    }
                    opt.step(0.05);
                    opt.zeroGrad();
                }
                try (NDManager s = m.newSubManager()) {
                    assertEquals(4 * a.modules().size(), opt.state(s).size() - 1, "two moments per adapter tensor");
                }
            }
            for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
                assertFalse(e.getValue().hasGradient(), e.getKey() + " must not record a gradient");
            }
            NDArray b = a.parameters().get("base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight");
            assertTrue(b.abs().max().getFloat() > 0, "B trained");
            float[] adapted = logits(model, m);
            assertTrue(maxDiff(base, adapted) > 1e-4, "the adapters change the model");
            assertArrayEquals(base, logits(reference, m), 0f, "adapters off = the base, bit for bit");
            reference.close(); // a view: frees nothing
            assertArrayEquals(adapted, logits(model, m), 0f);

            a.save(dir, "test-base");
            try (LoraAdapters back = LoraAdapters.load(dir, model)) {
                model.setAdapters(back);
                assertArrayEquals(adapted, logits(model, m), 0f, "save and load round-trip");
            }
            model.setAdapters(null);
        }
    }

    @Test
    void badInputNamesWhatIsWrong(@TempDir Path dir) throws IOException {
        try (NDManager m = root.newSubManager(); Transformer model = Transformer.create(ModelConfig.tinyLlama(V), m, 9)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LoraAdapters.create(model,
                    new LoraConfig(4, 8, 0, List.of("qkv_proj"), false), 1));
            assertTrue(e.getMessage().contains("'qkv_proj' matches no module")
                    && e.getMessage().contains("q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj"),
                    e.getMessage());

            Path other = dir.resolve("wide");
            try (Transformer wide = Transformer.create(ModelConfig.llama(V, 48, 64, 2, 4, 2, 128), m, 1);
                    LoraAdapters a = LoraAdapters.create(wide, new LoraConfig(2, 4, 0, List.of("q_proj"), false), 1)) {
                a.save(other, "wide");
            }
            e = assertThrows(IllegalArgumentException.class, () -> LoraAdapters.load(other, model));
            assertTrue(e.getMessage().contains("tensor 'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight'"
                    + " has shape [2, 48]") && e.getMessage().contains("has shape [32, 32]"), e.getMessage());
        }
    }

    private static double maxDiff(float[] a, float[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
        return d;
    }
}
