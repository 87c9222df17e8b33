package dev.r1j.core;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The one place DJL starts. Forces offline mode (nothing is ever downloaded: the native library comes from
 * the {@code pytorch-native-cpu} jar on the classpath) before the engine is first touched.
 *
 * <pre>{@code
 * try (NDManager m = Djl.newManager()) { ... }
 * }</pre>
 */
public final class Djl {
    static {
        System.setProperty("ai.djl.offline", "true");
        if (System.getProperty("ai.djl.pytorch.graph_optimizer") == null) {
            System.setProperty("ai.djl.pytorch.graph_optimizer", "false");
        }
    }

    private Djl() {}

    /** The PyTorch engine, started offline. */
    public static Engine engine() {
        return Engine.getEngine("PyTorch");
    }

    /** A new root manager on the CPU; close it to free its native memory. */
    public static NDManager newManager() {
        return engine().newBaseManager();
    }
}
