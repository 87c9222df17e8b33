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

    @Override
    void close();
}
