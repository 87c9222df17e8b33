package dev.r1j.core.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1j.core.sampling.Episode;
import java.util.List;

/**
 * Scored completions laid out for the loss: {@code ids} and {@code attention} int64 {@code [N, P + C]} with each
 * prompt left-padded to {@code P} and each completion right-padded to {@code C}; {@code mask} float32 {@code [N, C]}
 * (1 on completion tokens that count: the model's own, not a multi-turn episode's observation tokens); {@code advantages} float32 {@code [N]}. Pad positions hold token 0 and are
 * masked out of attention.
 */
record RolloutBatch(NDArray ids, NDArray attention, NDArray mask, NDArray advantages, int promptWidth,
        int completionWidth) {

    static RolloutBatch build(NDManager manager, List<ScoredCompletion> samples, boolean maskTruncated) {
        int n = samples.size();
        int p = 1, c = 1;
        for (ScoredCompletion s : samples) {
            if (s.promptTokenIds().length == 0) {
                throw new IllegalArgumentException("prompt '" + s.prompt().prompt() + "' encodes to no tokens");
            }
            p = Math.max(p, s.promptTokenIds().length);
            c = Math.max(c, s.completion().tokenIds().length);
        }
        int w = p + c;
        long[] ids = new long[n * w];
        long[] att = new long[n * w];
        float[] mask = new float[n * c];
        float[] adv = new float[n];
        for (int i = 0; i < n; i++) {
            ScoredCompletion s = samples.get(i);
            int[] pt = s.promptTokenIds();
            int[] ct = s.completion().tokenIds();
            for (int j = 0; j < pt.length; j++) {
                ids[i * w + p - pt.length + j] = pt[j];
                att[i * w + p - pt.length + j] = 1;
            }
            boolean counts = Overlong.keepInLoss(s.completion().finishReason(), maskTruncated);
            Episode episode = s.completion().episode();
            for (int j = 0; j < ct.length; j++) {
                ids[i * w + p + j] = ct[j];
                att[i * w + p + j] = 1;
                if (counts && (episode == null || episode.modelToken(j))) mask[i * c + j] = 1;
            }
            adv[i] = (float) s.advantage();
        }
        return new RolloutBatch(manager.create(ids, new Shape(n, w)), manager.create(att, new Shape(n, w)),
                manager.create(mask, new Shape(n, c)), manager.create(adv), p, c);
    }

    int size() {
        return (int) ids.getShape().get(0);
    }

    double maskedTokens() {
        return mask.sum().toType(DataType.FLOAT32, false).getFloat();
    }
}
