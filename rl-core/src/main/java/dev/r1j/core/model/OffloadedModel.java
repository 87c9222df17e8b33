package dev.r1j.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A frozen model that is not kept in memory: loaded (e.g. from its safetensors, usually still in the page cache)
 * for each use and closed right after, so that its weights are not resident while the policy trains. This is
 * OpenRLHF's {@code --ref_reward_offload} for the GRPO reference model: at 0.5B in float32 it takes 2 GB off the
 * update's peak, for one reread of the weights per step.
 *
 * <p>A trainer runs its no-grad pass inside {@link #use}; every other {@link CausalLM} method refuses, naming the
 * way to use it, so an offloaded model can never be read half-loaded.
 *
 * <pre>{@code
 * CausalLM reference = new OffloadedModel(config, () -> Checkpoint.load(dir, manager).model());
 * NDArray ref = OffloadedModel.use(reference, m -> CompletionLogProbs.constant(m, ids, att, p, 1.0, into));
 * }</pre>
 */
public final class OffloadedModel implements CausalLM {
    private final ModelConfig config;
    private final Supplier<? extends CausalLM> loader;

    /** {@code loader} returns a new model of {@code config} on each call, owned (and closed) by the caller. */
    public OffloadedModel(ModelConfig config, Supplier<? extends CausalLM> loader) {
        this.config = config;
        this.loader = loader;
    }

    /** {@code body} on {@code model}, loaded for the call and closed after it when it is an {@link OffloadedModel}. */
    public static <T> T use(CausalLM model, Function<CausalLM, T> body) {
        return model instanceof OffloadedModel o ? o.whileLoaded(body) : body.apply(model);
    }

    /** Loads the model, applies {@code body}, closes the model (also when {@code body} throws). */
    public <T> T whileLoaded(Function<CausalLM, T> body) {
        try (CausalLM m = loader.get()) {
            if (!m.config().equals(config)) {
                throw new IllegalStateException("the offloaded model's loader returned a model of another config: "
                        + m.config() + ", expected " + config);
            }
            return body.apply(m);
        } finally {
            // DJL keeps an array made from Java data (every loaded weight) in a direct ByteBuffer that only the
            // garbage collector releases, after the array is closed: without a collection here the 2 GB of a 0.5B
            // reference would stay resident through the update, which allocates too little heap to trigger one
            System.gc();
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    private IllegalStateException offloaded() {
        return new IllegalStateException("this model is offloaded (reference_offload): run the pass inside "
                + "OffloadedModel.use, which loads it for the pass");
    }

    @Override
    public NDArray forward(NDArray inputIds, NDArray attentionMask, KVCache cache) {
        throw offloaded();
    }

    @Override
    public KVCache newCache(int batch, int maxLength) {
        throw offloaded();
    }

    @Override
    public Map<String, NDArray> parameters() {
        throw offloaded();
    }

    @Override
    public NDManager manager() {
        throw offloaded();
    }

    /** Nothing is held between uses: nothing to close. */
    @Override
    public void close() {}
}
