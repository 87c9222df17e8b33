package dev.r1j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1j.core.model.LogProbs;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import org.junit.jupiter.api.Test;

class DevicesTest {
    @Test
    void resolvesEachSpelling() {
        assertEquals(Device.cpu(), Devices.resolve("auto", 0));
        assertEquals(Device.gpu(0), Devices.resolve("auto", 2));
        assertEquals(Device.cpu(), Devices.resolve("CPU", 2));
        assertEquals(Device.gpu(0), Devices.resolve("cuda", 1));
        assertEquals(Device.gpu(1), Devices.resolve("cuda:1", 2));
    }

    @Test
    void aMissingGpuIsOneClearLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("cuda", 0));
        assertTrue(e.getMessage().startsWith("device: cuda requested but PyTorch sees no CUDA GPU"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"));
        e = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("cuda:2", 2));
        assertTrue(e.getMessage().contains("sees only 2 GPU(s)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Devices.resolve("tpu", 0));
        assertTrue(e.getMessage().contains("expected auto, cpu, cuda or cuda:N"), e.getMessage());
    }

    /** On a GPU machine (a CUDA libtorch, see rl-core/README.md): the GPU forward agrees with the CPU one. */
    @Test
    void gpuForwardAgreesWithCpu() {
        int gpus = Djl.engine().getGpuCount();
        assumeTrue(gpus > 0, "skipped: PyTorch sees no CUDA GPU here (CPU libtorch); runs where a GPU and a CUDA "
                + "libtorch exist (PYTORCH_LIBRARY_PATH, rl-core/README.md)");
        ModelConfig config = ModelConfig.tinyLlama(16);
        try (NDManager cpu = Djl.newManager(Device.cpu()); NDManager gpu = Djl.newManager(Devices.resolve("cuda"));
                Transformer a = Transformer.create(config, cpu, 1); Transformer b = Transformer.create(config, gpu, 1)) {
            long[][] ids = {{1, 2, 3, 4, 5}};
            float[] x = LogProbs.tokenLogProbs(a, cpu.create(ids), cpu.ones(new ai.djl.ndarray.types.Shape(1, 5),
                    DataType.INT64)).toFloatArray();
            NDArray gi = gpu.create(ids);
            assertEquals(Device.gpu(0), gi.getDevice());
            float[] y = LogProbs.tokenLogProbs(b, gi, gpu.ones(new ai.djl.ndarray.types.Shape(1, 5), DataType.INT64))
                    .toDevice(Device.cpu(), false).toFloatArray();
            for (int i = 0; i < x.length; i++) assertEquals(x[i], y[i], 1e-4);
        }
    }
}
