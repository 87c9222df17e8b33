package dev.r1j.verifiers.reward;

import dev.r1j.verifiers.Sample;
import dev.r1j.verifiers.Verdict;
import dev.r1j.verifiers.Verifier;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * N-gram repetition penalty (open-r1's {@code get_repetition_penalty_reward}, after Yeo et al. 2025): the completion
 * is lower-cased and split on whitespace into words; with {@code T} word n-grams of which {@code U} are distinct,
 * <pre>
 *   reward = maxPenalty · (1 − U / T)
 * </pre>
 * so text without a repeated n-gram scores 0 and a loop of one phrase approaches {@code maxPenalty} (≤ 0). Completions
 * with fewer than {@code n} words score 0. Words are whitespace-separated, so unsegmented Chinese or Japanese text is
 * one long "word" per run and is barely penalised (open-r1 uses a segmenter for Chinese).
 *
 * <pre>{@code
 * Verifier v = new RepetitionPenaltyVerifier(3, -1.0);
 * v.verify(new Sample("", "a b c a b c", Map.of())).reward();   // 4 trigrams, 3 distinct: -0.25
 * }</pre>
 */
public final class RepetitionPenaltyVerifier implements Verifier {
    private final int n;
    private final double maxPenalty;

    /** @param n the n-gram size, ≥ 1; @param maxPenalty the reward of total repetition, ≤ 0 */
    public RepetitionPenaltyVerifier(int n, double maxPenalty) {
        if (n < 1) {
            throw new IllegalArgumentException("verifier 'repetition': ngram_size must be >= 1, got " + n);
        }
        if (maxPenalty > 0) {
            throw new IllegalArgumentException("verifier 'repetition': max_penalty must be <= 0, got " + maxPenalty);
        }
        this.n = n;
        this.maxPenalty = maxPenalty;
    }

    @Override
    public String name() {
        return "repetition";
    }

    @Override
    public Verdict verify(Sample sample) {
        String text = sample.completion().toLowerCase(Locale.ROOT).strip();
        String[] words = text.isEmpty() ? new String[0] : text.split("\\s+");
        if (words.length < n) {
            return new Verdict(0.0, "fewer than " + n + " words", Map.of("ngrams", 0));
        }
        int total = words.length - n + 1;
        Set<String> distinct = new HashSet<>();
        StringBuilder key = new StringBuilder();
        for (int i = 0; i < total; i++) {
            key.setLength(0);
            for (int j = i; j < i + n; j++) {
                key.append(words[j]).append('\u0000');
            }
            distinct.add(key.toString());
        }
        double repeated = 1.0 - (double) distinct.size() / total;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("ngrams", total);
        d.put("distinct_ngrams", distinct.size());
        return new Verdict(repeated == 0 ? 0.0 : maxPenalty * repeated, String.format(Locale.ROOT,
                "%d of %d %d-grams distinct", distinct.size(), total, n), d);
    }
}
