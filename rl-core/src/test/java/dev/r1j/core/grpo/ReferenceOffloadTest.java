package dev.r1j.core.grpo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.r1j.core.io.Weights;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.OffloadedModel;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.sampling.Prompt;
import dev.r1j.core.testing.RootManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * reference_offload: a reference reread from its safetensors for each reference pass and freed after it gives the
 * resident reference's log-probs bit for bit: the same KL metrics and, after two GRPO steps, bit-identical policy
 * weights; it is loaded once per step and each loaded copy is closed before the update.
 */
class ReferenceOffloadTest {
    private static final String ALPHA = "abcdefgh";
    @RootManager private static NDManager root;

    @Test
    void offloadedReferenceGivesTheResidentReferencesStepsBitForBit(@TempDir Path dir) {
        ModelConfig config = ModelConfig.tinyLlama(ALPHA.length());
        List<Prompt> prompts = List.of(new Prompt("ab", Map.of()), new Prompt("c", Map.of()));
        GrpoConfig cfg = GrpoConfig.builder().groupSize(4).maxNewTokens(3).promptsPerStep(2).learningRate(0.01)
                .beta(0.1).gradientAccumulationSteps(2).steps(2).referenceOffload(true).seed(5).build();
        try (Transformer ref = Transformer.create(config, root, 8)) {
            Weights.write(dir, ref.parameters());
        }
        List<Transformer> loaded = new ArrayList<>();
        CausalLM offloaded = new OffloadedModel(config, () -> {
            Transformer t = Transformer.fromParameters(config, root, Weights.read(dir, root));
            loaded.add(t);
            return t;
        });
        Run resident;
        try (Transformer ref = Transformer.fromParameters(config, root, Weights.read(dir, root))) {
            resident = run(config, cfg, prompts, ref);
        }
        Run off = run(config, cfg, prompts, offloaded);

        assertEquals(2, loaded.size(), "one load per step");
        for (Transformer t : loaded) {
            assertTrue(t.parameters().values().iterator().next().isReleased(), "each loaded copy is freed after its pass");
        }
        assertTrue(resident.kl()[0] > 0 && resident.kl()[1] > 0, "the reference differs from the policy");
        assertArrayEquals(resident.kl(), off.kl());
        assertArrayEquals(resident.loss(), off.loss());
        assertEquals(resident.weights().size(), off.weights().size());
        for (int i = 0; i < resident.weights().size(); i++) {
            assertArrayEquals(resident.weights().get(i), off.weights().get(i), "parameter " + i);
        }
    }

    @Test
    void anOffloadedModelRefusesUseOutsideItsPass() {
        ModelConfig config = ModelConfig.tinyLlama(ALPHA.length());
        CausalLM offloaded = new OffloadedModel(config, () -> Transformer.create(config, root, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, offloaded::parameters);
        assertTrue(e.getMessage().contains("reference_offload"), e.getMessage());
        CausalLM other = new OffloadedModel(config, () -> Transformer.create(ModelConfig.tinyLlama(5), root, 1));
        e = assertThrows(IllegalStateException.class, () -> OffloadedModel.use(other, m -> 0));
        assertTrue(e.getMessage().contains("another config"), e.getMessage());
    }

    /**
     * The loaded copy's memory is returned after the pass: DJL keeps loaded weights in direct buffers that only a GC
     * frees, and the update allocates too little heap to trigger one, so {@code use} collects.
     */
    @Test
    void theLoadedCopysDirectMemoryIsReturnedAfterThePass() throws InterruptedException {
        ModelConfig config = ModelConfig.tinyLlama(4000); // a 4000 x hidden embedding: megabytes of weights
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        System.gc();
        Thread.sleep(200);
        long before = direct.getMemoryUsed();
        CausalLM offloaded = new OffloadedModel(config, () -> Transformer.create(config, root, 1));
        long during = OffloadedModel.use(offloaded, m -> direct.getMemoryUsed());
        long grown = during - before;
        assertTrue(grown > 1_000_000, "the loaded weights live in direct buffers: " + grown + " bytes");
        long after = direct.getMemoryUsed();
        for (int i = 0; i < 50 && after - before > grown / 4; i++) { // the Cleaner thread frees them after the GC
            Thread.sleep(100);
            after = direct.getMemoryUsed();
        }
        assertTrue(after - before <= grown / 4, "direct memory " + before + " -> " + during + " -> " + after);
    }

    private record Run(double[] kl, double[] loss, List<float[]> weights) {}

    private static Run run(ModelConfig config, GrpoConfig cfg, List<Prompt> prompts, CausalLM reference) {
        try (Transformer model = Transformer.create(config, root, 7);
                GrpoTrainer trainer = new GrpoTrainer(model, reference, new CharSampler(model, ALPHA),
                        GrpoTrainerTest.STARTS_WITH_E, cfg)) {
            PromptSource src = new PromptSource(prompts, 1);
            double[] kl = new double[2], loss = new double[2];
            for (int s = 0; s < 2; s++) {
                GrpoStepMetrics m = trainer.step(src);
                kl[s] = m.kl();
                loss[s] = m.loss();
            }
            List<float[]> w = new ArrayList<>();
            for (NDArray p : model.parameters().values()) w.add(p.toFloatArray());
            return new Run(kl, loss, w);
        }
    }
}
