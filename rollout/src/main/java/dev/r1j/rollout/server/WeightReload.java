package dev.r1j.rollout.server;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.io.Weights;
import dev.r1j.core.model.CausalLM;
import dev.r1j.core.model.ModelConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * Loads a checkpoint's weights into a served model in place (SGLang's {@code update_weights_from_disk}): the
 * directory must hold a {@code config.json} of the same architecture and every one of the model's tensors with its
 * shape, nothing else; all of it is read and checked before the first parameter is overwritten, so a rejected load
 * leaves the model as it was. The caller makes sure no forward runs meanwhile.
 *
 * <pre>{@code
 * synchronized (sampler) { WeightReload.loadInto(sampler.model(), Path.of("/shared/sync/v000005")); }
 * }</pre>
 */
final class WeightReload {
    private WeightReload() {}

    /**
     * @throws IllegalArgumentException naming the directory and what does not match (missing, unexpected or
     *     mis-shaped tensor, another architecture)
     */
    static void loadInto(CausalLM model, Path dir) {
        if (!Files.isDirectory(dir)) throw new IllegalArgumentException(dir + ": no such directory");
        Path configFile = dir.resolve(Checkpoint.CONFIG_FILE);
        if (!Files.isRegularFile(configFile)) throw new IllegalArgumentException(dir + ": no " + Checkpoint.CONFIG_FILE);
        if (!Weights.exists(dir)) {
            throw new IllegalArgumentException(dir + ": no " + Weights.SINGLE_FILE + " (nor " + Weights.INDEX_FILE + ")");
        }
        ModelConfig theirs = ModelConfig.read(configFile);
        ModelConfig ours = model.config();
        if (!theirs.modelType().equals(ours.modelType()) || theirs.hiddenSize() != ours.hiddenSize()
                || theirs.numHiddenLayers() != ours.numHiddenLayers() || theirs.vocabSize() != ours.vocabSize()) {
            throw new IllegalArgumentException(configFile + ": a " + describe(theirs) + ", but this server serves a "
                    + describe(ours));
        }
        Map<String, NDArray> params = model.parameters();
        Map<String, Weights.Located> found = Weights.describe(dir);
        TreeSet<String> missing = new TreeSet<>(params.keySet());
        missing.removeAll(found.keySet());
        if (!missing.isEmpty()) throw new IllegalArgumentException(dir + ": missing tensor(s) " + missing);
        TreeSet<String> extra = new TreeSet<>(found.keySet());
        extra.removeAll(params.keySet());
        if (!extra.isEmpty()) throw new IllegalArgumentException(dir + ": unexpected tensor(s) " + extra);
        try (NDManager reading = model.manager().newSubManager()) {
            Map<String, NDArray> loaded = Weights.read(dir, reading, params.keySet());
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                long[] want = e.getValue().getShape().getShape();
                long[] got = loaded.get(e.getKey()).getShape().getShape();
                if (!Arrays.equals(want, got)) {
                    throw new IllegalArgumentException(dir + ": tensor " + e.getKey() + " has shape "
                            + Arrays.toString(got) + ", the served model's has " + Arrays.toString(want));
                }
            }
            for (Map.Entry<String, NDArray> e : params.entrySet()) {
                NDArray target = e.getValue();
                NDArray source = loaded.get(e.getKey()).toType(target.getDataType(), false);
                if (target.getDataType() == DataType.FLOAT64) target.set(source.toDoubleArray());
                else target.set(source.toFloatArray());
            }
        }
    }

    private static String describe(ModelConfig c) {
        return c.modelType() + " model (hidden " + c.hiddenSize() + ", " + c.numHiddenLayers() + " layers, vocab "
                + c.vocabSize() + ")";
    }
}
