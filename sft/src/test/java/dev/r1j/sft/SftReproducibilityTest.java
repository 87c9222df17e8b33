package dev.r1j.sft;

import dev.r1j.core.testing.RootManager;
import static org.junit.jupiter.api.Assertions.*;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.r1j.core.Djl;
import dev.r1j.core.FreedBuffers;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import dev.r1j.core.train.PaddedBatch;
import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18: the same SFT steps give bit-identical gradients however the JVM's garbage collection falls. Each
 * second run frees every unreferenced Java buffer between forward and backward ({@link FreedBuffers}), which is
 * where a real run's GC landed at random in one run of four before the fix.
 */
class SftReproducibilityTest {
    static final CharTokenizer TOK = SftDataTest.TOK;
    @RootManager static NDManager root;

    private static Transformer model() {
        return Transformer.create(ModelConfig.llama(TOK.vocabSize(), 32, 64, 2, 4, 2, 128), root, 7);
    }

    private static List<TokenSequence> examples(int n) {
        SftEncoder enc = new SftEncoder(TOK, SftFormat.defaults());
        List<TokenSequence> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int a = (i * 7) % 50, b = (i * 13 + 1) % 50;
            out.add(enc.promptCompletion(a + "+" + b + "=", (a + b) + " is " + a + "+" + b));
        }
        return out;
    }

    private static Map<String, float[]> gradients(boolean packed, boolean collect) {
        List<TokenSequence> data = examples(12);
        try (Transformer m = model(); NDManager step = m.manager().newSubManager()) {
            PaddedBatch batch = packed ? PaddedBatch.packed(Packer.pack(data, 64), 0, step) : PaddedBatch.of(data, 0, step);
            try (GradientCollector gc = Djl.engine().newGradientCollector()) {
                NDArray loss = NextTokenLoss.partOfMean(m, batch, batch.targetTokens() + 5);
                loss.getFloat();
                if (collect) FreedBuffers.now();
                gc.backward(loss);
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            m.parameters().forEach((name, p) -> out.put(name, p.getGradient().toFloatArray()));
            return out;
        }
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void oneStepsGradientsAreBitIdenticalWithACollectionBeforeBackward(boolean packed) {
        Map<String, float[]> calm = gradients(packed, false);
        Map<String, float[]> collected = gradients(packed, true);
        for (String name : calm.keySet()) {
            assertArrayEquals(calm.get(name), collected.get(name), 0f, name);
        }
    }

    private record Run(List<StepMetrics> steps, Map<String, float[]> weights) {}

    private static Run train(boolean collect, boolean packed) {
        TrainingOptions t = TrainingOptions.builder().maxSteps(4).batchSize(4).maxLength(64).learningRate(3e-3)
                .warmupSteps(1).gradientAccumulationSteps(2).seed(3).build();
        try (Transformer base = model()) {
            CausalLM m = collect ? FreedBuffers.afterEveryForward(base) : base;
            try (SftTrainer trainer = new SftTrainer(m, new SftOptions(t, packed, 0), examples(24), List.of(), 0)) {
                List<StepMetrics> steps = trainer.train(null, null, null).steps();
                Map<String, float[]> w = new LinkedHashMap<>();
                base.parameters().forEach((name, p) -> w.put(name, p.toFloatArray()));
                return new Run(steps, w);
            }
        }
    }

    @ParameterizedTest(name = "packed={0}")
    @ValueSource(booleans = {false, true})
    void trainingRunsAreBitIdenticalWithACollectionAfterEveryForward(boolean packed) {
        Run calm = train(false, packed);
        Run collected = train(true, packed);
        for (int i = 0; i < calm.steps().size(); i++) {
            StepMetrics a = calm.steps().get(i), b = collected.steps().get(i);
            assertEquals(a.loss(), b.loss(), 0.0, "loss at step " + a.step());
            assertEquals(a.gradNorm(), b.gradNorm(), 0.0, "gradient norm at step " + a.step());
        }
        for (String name : calm.weights().keySet()) {
            assertArrayEquals(calm.weights().get(name), collected.weights().get(name), 0f, name);
        }
    }
}
