package dev.r1j.core;

import ai.djl.Device;
import java.util.Locale;

/**
 * Resolves the {@code device} option ({@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}) to a DJL
 * {@link Device}. {@code auto} is the first GPU when PyTorch sees one, else the CPU. Asking for a GPU that is not
 * there is one clear error, not a crash deep in the engine.
 *
 * <p>The bundled native library is PyTorch's CPU build (the CUDA native jars of DJL are not on Maven Central), so
 * {@code auto} resolves to the CPU unless DJL is pointed at a local CUDA libtorch; how, in rl-core's README
 * ("Running on a GPU").
 *
 * <pre>{@code
 * Device d = Devices.resolve("auto");              // cpu() here
 * try (NDManager m = Djl.newManager(d)) { ... }    // models created in m live on d
 * }</pre>
 */
public final class Devices {
    private Devices() {}

    /**
     * @throws IllegalArgumentException for an unknown spec, or a GPU that PyTorch cannot see (saying how many it
     *     sees and where the GPU set-up is documented)
     */
    public static Device resolve(String spec) {
        return resolve(spec, Djl.engine().getGpuCount());
    }

    /** {@link #resolve(String)} for a machine with {@code gpus} visible GPUs (for tests). */
    static Device resolve(String spec, int gpus) {
        String s = spec == null ? "auto" : spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) return gpus > 0 ? Device.gpu(0) : Device.cpu();
        if (s.equals("cpu")) return Device.cpu();
        int index;
        if (s.equals("cuda") || s.equals("gpu")) {
            index = 0;
        } else if (s.matches("(cuda|gpu):\\d+")) {
            index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
        } else {
            throw new IllegalArgumentException("device: expected auto, cpu, cuda or cuda:N, got '" + spec + "'");
        }
        if (index >= gpus) {
            throw new IllegalArgumentException("device: " + spec + " requested but "
                    + (gpus == 0 ? "PyTorch sees no CUDA GPU on this machine (the bundled libtorch is the CPU build; "
                            + "see rl-core/README.md, Running on a GPU)"
                            : "PyTorch sees only " + gpus + " GPU(s) (cuda:0..cuda:" + (gpus - 1) + ")"));
        }
        return Device.gpu(index);
    }
}
