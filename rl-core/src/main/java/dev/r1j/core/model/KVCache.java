package dev.r1j.core.model;

/**
 * Per-layer attention state for incremental decoding. For multi-head latent attention it holds the compressed
 * latent, not full keys and values.
 */
public interface KVCache extends AutoCloseable {
    /** Number of positions already cached (the same for every row of the batch; pads count). */
    int length();

    /** Number of sequences (rows) in the batch. */
    int batchSize();

    /**
     * Keeps only the given rows, in the given order, so finished sequences stop costing compute.
     * The caller must drop the same rows from its attention mask.
     */
    void keepRows(int[] rows);

    /**
     * Re-lays the cache for a batch whose membership changes while it decodes (continuous batching): afterwards it
     * holds this cache's rows followed by {@code other}'s rows (when {@code other} is non-null; it is left unchanged),
     * every row keeping only its last {@code length} positions, right-aligned, with room for {@code maxLength}.
     * Where a cache is shorter than {@code length} its rows are left-padded with empty positions, which the caller
     * masks out; where it is longer its leading positions are dropped, which the caller must know to be masked out
     * for every one of its rows. Costs one copy of the cache.
     *
     * <pre>{@code
     * running.relayout(joining, Math.max(running.length(), joining.length()), capacity);
     * }</pre>
     *
     * @throws UnsupportedOperationException for caches that cannot be re-laid (the default)
     */
    default void relayout(KVCache other, int length, int maxLength) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot be re-laid for continuous batching");
    }

    @Override
    void close();
}
