package dev.r1j.env;

import java.util.List;

/**
 * What a model's tool calls talk to during a multi-turn episode: given the call the model just made and the
 * conversation so far, it returns the next observation (the tool's output), may end the episode and may add reward.
 * Tools are environments ({@code python}, {@code calculator}); a plugin adds others through an
 * {@link EnvironmentProvider}. The {@link ToolRunner} around it parses calls, rejects unknown tools, enforces the
 * timeout and bounds the output, so an implementation only answers well-formed calls to its own tools.
 *
 * <p>Implementations are thread-safe: the rows of a batch call {@link #respond} in parallel.
 *
 * <pre>{@code
 * Environment calc = EnvironmentRegistry.defaultRegistry().create(EnvironmentConfig.of("calculator"));
 * Observation o = calc.respond(new ToolCall("calculator", Map.of("expression", "47*85")), Conversation.start("47*85="));
 * // o.text() is "3995"
 * }</pre>
 */
public interface Environment extends AutoCloseable {
    /** The tool names this environment answers, e.g. {@code [python]}; the unknown-tool error lists them. */
    List<String> tools();

    /**
     * Answers one call to one of {@link #tools()}. May block (the runner cuts it at {@code timeout_s}); a failure of
     * the tool is an {@link Observation} with {@link Observation.Status#ERROR}, not an exception.
     */
    Observation respond(ToolCall call, Conversation conversation);

    /** Frees what the environment holds; the default holds nothing. */
    @Override
    default void close() {}
}
