package dev.r1j.sft;

/**
 * How SFT text becomes tokens (which fields hold the text is {@code PromptDataset.Options}' job).
 *
 * @param addBos prepend the tokenizer's BOS when the text does not already start with it (as the samplers do for
 *               prompts); default true
 * @param addEos append EOS to a {@code completion} so the model learns to stop; default true (chat turns end with the
 *               template's own end-of-turn text instead)
 *
 * <pre>{@code
 * SftFormat f = new SftFormat(true, false);
 * }</pre>
 */
public record SftFormat(boolean addBos, boolean addEos) {
    public static SftFormat defaults() {
        return new SftFormat(true, true);
    }
}
