package dev.r1j.sft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.Djl;
import dev.r1j.core.model.LoraAdapters;
import dev.r1j.core.model.LoraConfig;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The supervised trainer with LoRA adapters and with gradient checkpointing on the real transformer. */
class LoraAndCheckpointingSftTest {
    private static NDManager root;
    private static final List<TokenSequence> DATA = new ArrayList<>();
    private static final LmTrainerConfig CFG = LmTrainerConfig.builder().steps(30).batchSize(4).learningRate(1e-2)
            .warmupSteps(2).seed(3).build();

    @BeforeAll
    static void start() {
        root = Djl.newManager();
        int[][] rows = {{1, 3, 4, 5, 6, 2}, {1, 6, 5, 4, 3, 2}, {1, 7, 7, 8, 2}, {1, 9, 3, 9, 3, 9, 2}};
        for (int[] r : rows) DATA.add(TokenSequence.allTokens(r));
    }

    @AfterAll
    static void stop() {
        root.close();
    }

    private static Map<String, float[]> snapshot(Map<String, NDArray> p) {
        Map<String, float[]> out = new LinkedHashMap<>();
        p.forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    @Test
    void loraTrainsOnlyTheAdaptersAndLowersTheLoss() {
        try (Transformer model = Transformer.create(ModelConfig.tinyLlama(12), root, 4);
                LoraAdapters a = LoraAdapters.create(model, new LoraConfig(4, 8, 0, List.of("all-linear"), false), 1)) {
            Map<String, float[]> base = snapshot(model.parameters());
            model.setAdapters(a);
            List<Double> losses = new ArrayList<>();
            new LmTrainer(CFG).train(model, DATA, 0, s -> losses.add(s.loss()));
            Map<String, float[]> after = snapshot(model.parameters());
            for (String k : base.keySet()) assertArrayEquals(base.get(k), after.get(k), 0f, k + " is frozen");
            assertTrue(losses.get(29) < losses.get(0) - 0.3, "loss " + losses.get(0) + " -> " + losses.get(29));
            model.setAdapters(null);
        }
    }

    @Test
    void gradientCheckpointingTrainsTheSameWeights() {
        Map<String, float[]> plain, checkpointed;
        try (Transformer model = Transformer.create(ModelConfig.tinyQwen2(12), root, 4)) {
            new LmTrainer(CFG.toBuilder().steps(5).build()).train(model, DATA, 0, null);
            plain = snapshot(model.parameters());
        }
        try (Transformer model = Transformer.create(ModelConfig.tinyQwen2(12), root, 4)) {
            model.setGradientCheckpointing(true);
            new LmTrainer(CFG.toBuilder().steps(5).build()).train(model, DATA, 0, null);
            checkpointed = snapshot(model.parameters());
        }
        for (String k : plain.keySet()) assertArrayEquals(plain.get(k), checkpointed.get(k), 1e-5f, k);
    }
}
