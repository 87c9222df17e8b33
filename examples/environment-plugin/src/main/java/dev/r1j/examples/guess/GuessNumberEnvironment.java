package dev.r1j.examples.guess;

import dev.r1j.env.Conversation;
import dev.r1j.env.Environment;
import dev.r1j.env.Observation;
import dev.r1j.env.ToolCall;
import java.util.List;

/**
 * A number-guessing game as a multi-turn environment: the secret is a number in {@code [1, max]} fixed by the prompt
 * (its hash, so every sample of a prompt plays the same game); each {@code guess} call is answered {@code higher},
 * {@code lower} or {@code correct}, and a correct guess ends the episode with reward 1. What a tool cannot do and an
 * environment can: answer from state, reward a turn, and end the episode.
 *
 * <pre>{@code
 * GuessNumberEnvironment game = new GuessNumberEnvironment(100);
 * game.respond(new ToolCall("guess", Map.of("code", "50")), Conversation.start("game 7"));   // "higher" or "lower"...
 * }</pre>
 */
public final class GuessNumberEnvironment implements Environment {
    public static final String TOOL = "guess";
    private final int max;

    public GuessNumberEnvironment(int max) {
        if (max < 1) throw new IllegalArgumentException("max must be >= 1, got " + max);
        this.max = max;
    }

    /** The secret of the game {@code prompt} starts. */
    public int secret(String prompt) {
        return Math.floorMod(prompt.hashCode(), max) + 1;
    }

    @Override
    public List<String> tools() {
        return List.of(TOOL);
    }

    @Override
    public Observation respond(ToolCall call, Conversation conversation) {
        // a ```guess block's body arrives as "code", a Hermes call names it "n"
        Object raw = call.arguments().containsKey("n") ? call.arguments().get("n") : call.arguments().get("code");
        int guess;
        try {
            guess = raw instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(raw).strip());
        } catch (NumberFormatException e) {
            return Observation.error("guess needs a whole number, got '" + raw + "'");
        }
        int secret = secret(conversation.prompt());
        if (guess == secret) return new Observation("correct", Observation.Status.OK, 1.0, true);
        return Observation.of(guess < secret ? "higher" : "lower");
    }
}
