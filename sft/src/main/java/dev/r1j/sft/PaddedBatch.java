package dev.r1j.sft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * Sequences padded on the right to one length: {@code ids} and {@code attentionMask} int64 {@code [B, T]},
 * and {@code targetMask} float32 {@code [B, T-1]} where entry {@code t} weights the loss of predicting
 * {@code ids[t+1]} (0 for pads and for non-target tokens).
 *
 * <pre>{@code
 * try (NDManager step = manager.newSubManager()) {
 *     PaddedBatch b = PaddedBatch.of(seqs, tokenizer.padId(), step);
 * }
 * }</pre>
 */
public record PaddedBatch(NDArray ids, NDArray attentionMask, NDArray targetMask, int targetTokens, int realTokens) {

    /** Pads {@code seqs} with {@code padId} (or 0 when it is negative) into arrays owned by {@code manager}. */
    public static PaddedBatch of(List<TokenSequence> seqs, int padId, NDManager manager) {
        if (seqs.isEmpty()) throw new IllegalArgumentException("empty batch");
        int b = seqs.size();
        int t = 0;
        for (TokenSequence s : seqs) t = Math.max(t, s.length());
        long[] ids = new long[b * t];
        long[] attn = new long[b * t];
        float[] tgt = new float[b * (t - 1)];
        int targets = 0, real = 0;
        long pad = Math.max(padId, 0);
        for (int i = 0; i < b; i++) {
            TokenSequence s = seqs.get(i);
            for (int j = 0; j < t; j++) {
                boolean in = j < s.length();
                ids[i * t + j] = in ? s.ids()[j] : pad;
                attn[i * t + j] = in ? 1 : 0;
                if (in) real++;
                if (j > 0 && in && s.target()[j]) {
                    tgt[i * (t - 1) + j - 1] = 1f;
                    targets++;
                }
            }
        }
        return new PaddedBatch(manager.create(ids, new Shape(b, t)), manager.create(attn, new Shape(b, t)),
                manager.create(tgt, new Shape(b, t - 1)), targets, real);
    }
}
