package dev.r1j.sft;

import dev.r1j.core.train.TokenSequence;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A held-out split: a seeded random {@code fraction} of the items (at least one when the fraction is positive and
 * there are two or more items) goes to {@code eval}, the rest, in their original order, to {@code train}.
 *
 * <pre>{@code
 * TrainEvalSplit<TokenSequence> s = TrainEvalSplit.of(examples, 0.05, 42);
 * }</pre>
 */
public record TrainEvalSplit<T>(List<T> train, List<T> eval) {

    public static <T> TrainEvalSplit<T> of(List<T> items, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("eval_fraction must be in [0, 1), got " + fraction);
        int n = items.size();
        int k = fraction == 0 || n < 2 ? 0 : Math.max(1, (int) Math.round(n * fraction));
        List<Integer> idx = new ArrayList<>(n);
        for (int i = 0; i < n; i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        boolean[] held = new boolean[n];
        for (int i = 0; i < k; i++) held[idx.get(i)] = true;
        List<T> train = new ArrayList<>(n - k), eval = new ArrayList<>(k);
        for (int i = 0; i < n; i++) (held[i] ? eval : train).add(items.get(i));
        return new TrainEvalSplit<>(List.copyOf(train), List.copyOf(eval));
    }
}
