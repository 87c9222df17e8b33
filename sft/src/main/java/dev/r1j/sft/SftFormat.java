package dev.r1j.sft;

/**
 * How SFT rows become token sequences.
 *
 * @param promptField     field holding the prompt text (default {@code prompt})
 * @param completionField field holding the target completion (default {@code completion})
 * @param messagesField   field holding chat messages (default {@code messages}); a row has either this or the
 *                        prompt/completion pair
 * @param addBos          prepend the tokenizer's BOS when the text does not already start with it (as the
 *                        samplers do for prompts), default true
 * @param addEos          append EOS to a {@code completion} so the model learns to stop, default true (chat rows end
 *                        with the template's own end-of-turn text instead)
 *
 * <pre>{@code
 * SftFormat f = SftFormat.defaults().withFields("question", "answer");
 * }</pre>
 */
public record SftFormat(String promptField, String completionField, String messagesField, boolean addBos,
                        boolean addEos) {
    public SftFormat {
        requireName("prompt_field", promptField);
        requireName("completion_field", completionField);
        requireName("messages_field", messagesField);
    }

    public static SftFormat defaults() {
        return new SftFormat("prompt", "completion", "messages", true, true);
    }

    public SftFormat withFields(String prompt, String completion) {
        return new SftFormat(prompt, completion, messagesField, addBos, addEos);
    }

    private static void requireName(String option, String value) {
        if (value == null || value.isBlank()) throw new IllegalArgumentException(option + " must be a non-empty field name");
    }
}
