package dev.r1j.rollout;

import dev.r1j.core.tokenizer.Tokenizer;
import dev.r1j.env.ToolCallFormat;
import java.util.List;
import java.util.Map;

/**
 * The text appended to a row to answer its tool call. {@code code_block}, and {@code hermes} with a tokenizer that
 * has no chat template, use {@link ToolCallFormat#observation}. {@code hermes} with a chat template renders a
 * {@code tool} message through the template: the text the template puts after the assistant turn's content (its
 * end-of-turn, the tool message, the next assistant header), e.g. for Qwen2.5
 * {@code <|im_end|>\n<|im_start|>user\n<tool_response>\nOUT\n</tool_response><|im_end|>\n<|im_start|>assistant\n}.
 *
 * <pre>{@code
 * ObservationText text = ObservationText.of(ToolCallFormat.HERMES, tokenizer);
 * String appended = text.render(turn, "3995");
 * }</pre>
 */
final class ObservationText {
    /** Stands for the assistant's content in the probe rendering; found again to cut the template's output. */
    private static final String SENTINEL = "R1J_ASSISTANT_TURN_7f3c9b";

    private final ToolCallFormat format;
    private final Tokenizer templated;

    private ObservationText(ToolCallFormat format, Tokenizer templated) {
        this.format = format;
        this.templated = templated;
    }

    /**
     * For {@code format} on {@code tokenizer}.
     *
     * @throws IllegalArgumentException when hermes is asked of a chat template that cannot render a tool message
     */
    static ObservationText of(ToolCallFormat format, Tokenizer tokenizer) {
        if (format != ToolCallFormat.HERMES) return new ObservationText(format, null);
        try {
            tokenizer.applyChatTemplate(List.of(Map.of("role", "user", "content", "x")), true);
        } catch (IllegalStateException noTemplate) {
            return new ObservationText(format, null);
        }
        ObservationText t = new ObservationText(format, tokenizer);
        try {
            t.render("", "probe");
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("format hermes: the tokenizer's chat template cannot render a tool "
                    + "message after an assistant turn: " + e.getMessage(), e);
        }
        return t;
    }

    /** The text that answers the call ending {@code turn} with the tool's {@code output}. */
    String render(String turn, String output) {
        if (templated == null) return format.observation(turn, output);
        String full = templated.applyChatTemplate(List.of(Map.of("role", "user", "content", "x"),
                Map.of("role", "assistant", "content", SENTINEL), Map.of("role", "tool", "content", output)), true);
        int at = full.indexOf(SENTINEL);
        if (at < 0) throw new IllegalStateException("the chat template dropped the assistant turn's content");
        return full.substring(at + SENTINEL.length());
    }
}
