package dev.r1j.rollout;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.SplittableRandom;

/** One sequence being generated: its random stream, the tokens and log-probs so far, and why it ended. */
final class Row {
    final int prompt;
    final int sample;
    final SplittableRandom rng;
    private int[] tokens;
    private float[] logprobs;
    private int length;
    private FinishReason finish;
    private String text;

    Row(int prompt, int sample, long seed, int capacity) {
        this.prompt = prompt;
        this.sample = sample;
        this.rng = new SplittableRandom(rowSeed(seed, prompt, sample));
        this.tokens = new int[capacity];
        this.logprobs = new float[capacity];
    }

    /**
     * A row's stream depends only on (seed, prompt index, sample index), never on the batch around it, so the
     * same request gives the same completions whatever the compaction did.
     */
    static long rowSeed(long seed, int prompt, int sample) {
        long z = mix(seed ^ mix(0x9E3779B97F4A7C15L * (prompt + 1L)));
        return mix(z ^ mix(0xC2B2AE3D27D4EB4FL * (sample + 1L)));
    }

    /** SplitMix64's finaliser: a bijection that scatters nearby seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    void append(int token, float logprob) {
        tokens[length] = token;
        logprobs[length] = logprob;
        length++;
    }

    int length() {
        return length;
    }

    int lastToken() {
        return tokens[length - 1];
    }

    boolean done() {
        return finish != null;
    }

    int[] tokens() {
        return Arrays.copyOf(tokens, length);
    }

    void finish(FinishReason reason, String finalText) {
        this.finish = reason;
        this.text = finalText;
    }

    Completion toCompletion(Tokenizer tokenizer) {
        int[] ids = tokens();
        String t = text != null ? text : tokenizer.decode(ids);
        return new Completion(ids, t, Arrays.copyOf(logprobs, length), finish);
    }
}
