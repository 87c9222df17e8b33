package dev.r1j.core.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a batch of {@code n} rows into {@code k} contiguous micro-batches of near-equal size (the first
 * {@code n mod k} get one more row). DJL's PyTorch engine adds the gradients of successive backward passes, so
 * running backward on each micro-batch's loss, normalised by whole-batch counts (see
 * {@code dev.r1j.core.grpo.LossNormalizer}), leaves the gradient of one big batch.
 *
 * <pre>{@code
 * for (GradientAccumulation.Range r : GradientAccumulation.split(64, 4)) { ... rows r.start() .. r.end() ... }
 * }</pre>
 */
public final class GradientAccumulation {
    private GradientAccumulation() {}

    /** Rows {@code [start, end)}. */
    public record Range(int start, int end) {
        public int size() {
            return end - start;
        }
    }

    public static List<Range> split(int n, int k) {
        if (k < 1) throw new IllegalArgumentException("gradient_accumulation_steps must be >= 1, got " + k);
        if (n < k) throw new IllegalArgumentException("cannot split " + n + " rows into " + k + " micro-batches");
        List<Range> out = new ArrayList<>(k);
        int base = n / k, extra = n % k, start = 0;
        for (int i = 0; i < k; i++) {
            int size = base + (i < extra ? 1 : 0);
            out.add(new Range(start, start + size));
            start += size;
        }
        return out;
    }
}
