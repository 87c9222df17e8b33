package dev.r1j.rollout;

import dev.r1j.core.sampling.Completion;
import dev.r1j.core.sampling.FinishReason;
import dev.r1j.core.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * One sequence being generated: its random stream, the tokens and log-probs so far (and, when asked for, the top
 * alternatives at each position), and why it ended. The arrays grow as tokens arrive, so a huge {@code max_tokens}
 * costs nothing until it is used.
 */
final class Row {
    final int prompt;
    final int sample;
    final SplittableRandom rng;
    private int[] tokens;
    private float[] logprobs;
    private TopLogprobs[] top;
    private int length;
    private FinishReason finish;
    private String text;
    private boolean[] observation; // multi-turn: which tokens the environment supplied (null: none so far)
    RowEpisode episode;            // multi-turn state, null for a single-turn row

    Row(int prompt, int sample, long seed, int capacity) {
        this.prompt = prompt;
        this.sample = sample;
        this.rng = new SplittableRandom(rowSeed(seed, prompt, sample));
        int initial = Math.max(1, Math.min(capacity, 64));
        this.tokens = new int[initial];
        this.logprobs = new float[initial];
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
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, length * 2);
            logprobs = Arrays.copyOf(logprobs, length * 2);
            if (top != null) top = Arrays.copyOf(top, length * 2);
            if (observation != null) observation = Arrays.copyOf(observation, length * 2);
        }
        tokens[length] = token;
        logprobs[length] = logprob;
        length++;
    }

    /** Appends a token the environment supplied (an observation's): log-prob 0, marked, never trained on. */
    void appendObservation(int token) {
        append(token, 0f);
        if (observation == null) observation = new boolean[tokens.length];
        observation[length - 1] = true;
    }

    /** Records the top alternatives of the token just appended. */
    void setTop(TopLogprobs alternatives) {
        if (top == null) top = new TopLogprobs[tokens.length];
        top[length - 1] = alternatives;
    }

    /** The top alternatives recorded at each position, or null when none were asked for. */
    TopLogprobs[] top() {
        return top == null ? null : Arrays.copyOf(top, length);
    }

    /** The text a stop string cut (before the stop), or null. */
    String finalText() {
        return text;
    }

    float lastLogprob() {
        return logprobs[length - 1];
    }

    FinishReason finishReason() {
        return finish;
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

    /**
     * Decides whether the row ends after the model token it just appended: at EOS; else a multi-turn row's episode
     * decides (its stop strings, a completed tool call, its budgets: {@link RowEpisode#afterToken}); else a stop
     * string in the text or {@code maxNewTokens} end it. Shared by the local decoding loop and a remote server's
     * tokens replayed into a row ({@link RemoteEpisodes}).
     */
    void afterModelToken(int token, Tokenizer tokenizer, StopStrings stops, int maxNewTokens) {
        if (token == tokenizer.eosId()) {
            finish(FinishReason.EOS, null);
            return;
        }
        if (episode != null) { // multi-turn: the turn's stop strings, tool call and budgets
            episode.afterToken(this, stops, maxNewTokens);
            return;
        }
        if (!stops.isEmpty()) {
            String decoded = tokenizer.decode(tokens());
            int cut = stops.find(decoded);
            if (cut >= 0) {
                finish(FinishReason.STOP, decoded.substring(0, cut));
                return;
            }
        }
        if (length == maxNewTokens) finish(FinishReason.LENGTH, null);
    }

    void finish(FinishReason reason, String finalText) {
        this.finish = reason;
        this.text = finalText;
    }

    Completion toCompletion(Tokenizer tokenizer) {
        int[] ids = tokens();
        String t = text != null ? text : tokenizer.decode(ids);
        boolean[] marks = observation == null ? new boolean[length] : Arrays.copyOf(observation, length);
        return new Completion(ids, t, Arrays.copyOf(logprobs, length), finish,
                episode == null ? null : episode.episode(marks));
    }
}
