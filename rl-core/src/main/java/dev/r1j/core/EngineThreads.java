package dev.r1j.core;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Sets PyTorch's intra-op thread count for a stage (option {@code num_threads}). Tiny models gain nothing from a
 * second thread, and on a machine whose cores are busy with other work PyTorch's spinning worker threads make each
 * op several times slower (measured: pretraining the toy model ran ~6x faster with 1 thread than with 2 while two
 * other processes were busy), so the toy recipe uses 1; large models on an idle machine want one per core.
 *
 * <pre>{@code
 * EngineThreads.apply(options.numThreads());   // 0 leaves the engine's default
 * }</pre>
 */
public final class EngineThreads {
    private EngineThreads() {}

    /** Sets the intra-op threads to {@code n} when {@code n > 0}. */
    public static void apply(int n) {
        if (n <= 0) return;
        Djl.engine(); // the engine must be up before its thread pool can be sized
        JniUtils.setNumThreads(n);
    }
}
