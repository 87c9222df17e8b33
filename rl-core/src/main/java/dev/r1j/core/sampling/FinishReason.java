package dev.r1j.core.sampling;

/** Why a completion ended: a stop string, the end-of-sequence token, or {@code max_new_tokens}. */
public enum FinishReason {
    STOP, EOS, LENGTH;

    /** The OpenAI-style name ({@code stop}, {@code eos}, {@code length}). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
