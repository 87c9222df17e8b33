package dev.r1j.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.train.TokenSequence;
import java.util.List;

/**
 * Training rows padded on the right to one length: {@code ids} and {@code attentionMask} int64 {@code [B, T]},
 * and {@code targetMask} float32 {@code [B, T-1]} where entry {@code t} weights the loss of predicting
 * {@code ids[t+1]} (0 for pads, for non-target tokens and across example boundaries). A packed batch also has
 * {@code segmentIds} int64 {@code [B, T]} (1, 2, ... per example of a row, 0 for pads) for
 * {@link dev.r1j.core.model.CausalLM#forwardPacked}; it is null for one example per row.
 *
 * <pre>{@code
 * try (NDManager step = manager.newSubManager()) {
 *     PaddedBatch b = PaddedBatch.of(seqs, tokenizer.padId(), step);              // one example per row
 *     PaddedBatch p = PaddedBatch.packed(Packer.pack(seqs, 512), tokenizer.padId(), step); // several per row
 * }
 * }</pre>
 */
public record PaddedBatch(NDArray ids, NDArray attentionMask, NDArray targetMask, NDArray segmentIds,
                          int targetTokens, int realTokens) {

    /** Whether rows hold several examples (the model must then run {@code forwardPacked}). */
    public boolean isPacked() {
        return segmentIds != null;
    }

    /** Pads {@code seqs} with {@code padId} (or 0 when it is negative) into arrays owned by {@code manager}. */
    public static PaddedBatch of(List<TokenSequence> seqs, int padId, NDManager manager) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("empty batch");
        return build(seqs.stream().map(List::of).toList(), padId, manager, false);
    }

    /** Lays each row's examples end to end, then pads the rows on the right. */
    public static PaddedBatch packed(List<List<TokenSequence>> rows, int padId, NDManager manager) {
        if (rows.isEmpty()) throw new IllegalArgumentException("empty batch");
        return build(rows, padId, manager, true);
    }

    private static PaddedBatch build(List<List<TokenSequence>> rows, int padId, NDManager manager, boolean packed) {
        int b = rows.size();
        int t = 0;
        for (List<TokenSequence> row : rows) t = Math.max(t, rowLength(row));
        long[] ids = new long[b * t];
        long[] attn = new long[b * t];
        long[] seg = new long[b * t];
        float[] tgt = new float[b * (t - 1)];
        int targets = 0, real = 0;
        long pad = Math.max(padId, 0);
        for (int i = 0; i < b; i++) {
            int at = 0;
            int segment = 0;
            for (TokenSequence s : rows.get(i)) {
                segment++;
                for (int j = 0; j < s.length(); j++, at++) {
                    ids[i * t + at] = s.ids()[j];
                    attn[i * t + at] = 1;
                    seg[i * t + at] = segment;
                    real++;
                    // the first token of an example is never a target: nothing of its own predicts it
                    if (j > 0 && s.target()[j]) {
                        tgt[i * (t - 1) + at - 1] = 1f;
                        targets++;
                    }
                }
            }
            for (; at < t; at++) ids[i * t + at] = pad;
        }
        Shape shape = new Shape(b, t);
        return new PaddedBatch(manager.create(ids, shape), manager.create(attn, shape),
                manager.create(tgt, new Shape(b, t - 1)), packed ? manager.create(seg, shape) : null, targets, real);
    }

    private static int rowLength(List<TokenSequence> row) {
        int n = 0;
        for (TokenSequence s : row) n += s.length();
        return n;
    }
}
