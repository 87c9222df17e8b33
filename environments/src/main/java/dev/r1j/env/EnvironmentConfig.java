package dev.r1j.env;

import dev.r1j.options.Default;
import dev.r1j.options.Help;
import dev.r1j.options.OptionRecords;
import java.time.Duration;
import java.util.Map;

/**
 * A multi-turn episode's environment, as a recipe's {@code grpo} and {@code eval} stages write it
 * ({@code environment: {name: calculator, format: code_block, max_turns: 3}}): the one declaration of these keys. A
 * model turn ends at a completed tool call ({@link ToolCallFormat}); the call is answered, its observation appended,
 * and the model continues, up to {@code max_turns} model turns and {@code max_total_tokens} tokens in all.
 * {@code max_new_tokens} (sampling) caps each model turn.
 *
 * <pre>{@code
 * EnvironmentConfig c = EnvironmentConfig.of("python").withMaxTurns(4);
 * }</pre>
 */
public record EnvironmentConfig(
        @Help("the environment: python (code in the sandbox), calculator (exact arithmetic) or a plugin's name")
                String name,
        @Help("code_block: ```TOOL ... ``` answered by an ```output block (tool-integrated reasoning) | hermes: "
                + "<tool_call>{\"name\":...,\"arguments\":{...}}</tool_call> answered by a tool message (Hermes/Qwen)")
                @Default("code_block") ToolCallFormat format,
        @Help("model turns per episode; a call made in the last turn ends the episode unanswered") @Default("4")
                int maxTurns,
        @Help("tokens of a whole completion, the model's and the observations'; beyond it the episode ends (length)")
                @Default("512") int maxTotalTokens,
        @Help("seconds a tool call may take; a call still running then is cut and answered with an error")
                @Default("5.0") double timeoutS,
        @Help("characters of a tool's output kept before it enters the context (the rest is cut and counted)")
                @Default("1000") int maxOutputChars,
        @Help("the environment's own options (python: the code verifier's sandbox limits, e.g. memory_mb)")
                @Default("{}") Map<String, Object> options) {

    public EnvironmentConfig {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("name: an environment name is required");
        EnvironmentRegistry registry = EnvironmentRegistry.defaultRegistry();
        if (!registry.contains(name)) {
            try {
                registry.provider(name);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("name: " + e.getMessage(), e);
            }
        }
        if (format == null) throw new IllegalArgumentException("format must be code_block or hermes");
        if (maxTurns < 1) throw new IllegalArgumentException("max_turns must be >= 1, got " + maxTurns);
        if (maxTotalTokens < 1) throw new IllegalArgumentException("max_total_tokens must be >= 1, got " + maxTotalTokens);
        if (!(timeoutS > 0) || Double.isInfinite(timeoutS)) {
            throw new IllegalArgumentException("timeout_s must be a finite number > 0, got " + timeoutS);
        }
        if (maxOutputChars < 1) throw new IllegalArgumentException("max_output_chars must be >= 1, got " + maxOutputChars);
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** The environment {@code name} with every other key at its default. */
    public static EnvironmentConfig of(String name) {
        return new OptionRecords.Builder<>(EnvironmentConfig.class).set("name", name).build();
    }

    public EnvironmentConfig withFormat(ToolCallFormat f) {
        return new EnvironmentConfig(name, f, maxTurns, maxTotalTokens, timeoutS, maxOutputChars, options);
    }

    public EnvironmentConfig withMaxTurns(int n) {
        return new EnvironmentConfig(name, format, n, maxTotalTokens, timeoutS, maxOutputChars, options);
    }

    public EnvironmentConfig withMaxTotalTokens(int n) {
        return new EnvironmentConfig(name, format, maxTurns, n, timeoutS, maxOutputChars, options);
    }

    public EnvironmentConfig withTimeoutS(double s) {
        return new EnvironmentConfig(name, format, maxTurns, maxTotalTokens, s, maxOutputChars, options);
    }

    public EnvironmentConfig withMaxOutputChars(int n) {
        return new EnvironmentConfig(name, format, maxTurns, maxTotalTokens, timeoutS, n, options);
    }

    public EnvironmentConfig withOptions(Map<String, Object> o) {
        return new EnvironmentConfig(name, format, maxTurns, maxTotalTokens, timeoutS, maxOutputChars, o);
    }

    /** {@code timeout_s} as a duration. */
    public Duration timeout() {
        return Duration.ofMillis(Math.max(1, Math.round(timeoutS * 1000)));
    }
}
