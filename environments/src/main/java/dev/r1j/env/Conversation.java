package dev.r1j.env;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An episode so far: the prompt, then alternating model turns ({@code assistant}) and tool results ({@code tool}),
 * the last message being the model turn whose call is being answered.
 *
 * <pre>{@code
 * Conversation c = Conversation.start("47*85=").with(Message.assistant("```calculator\n47*85\n```"));
 * }</pre>
 */
public record Conversation(String prompt, List<Message> messages) {
    /** One message: {@code role} is {@code assistant} (the model's text) or {@code tool} (an observation's output). */
    public record Message(String role, String content) {
        public Message {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(content, "content");
        }

        public static Message assistant(String content) {
            return new Message("assistant", content);
        }

        public static Message tool(String content) {
            return new Message("tool", content);
        }
    }

    public Conversation {
        Objects.requireNonNull(prompt, "prompt");
        messages = List.copyOf(messages);
    }

    public static Conversation start(String prompt) {
        return new Conversation(prompt, List.of());
    }

    /** This conversation followed by {@code m}. */
    public Conversation with(Message m) {
        List<Message> all = new ArrayList<>(messages);
        all.add(m);
        return new Conversation(prompt, all);
    }
}
