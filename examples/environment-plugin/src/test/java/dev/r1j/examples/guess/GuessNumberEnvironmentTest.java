package dev.r1j.examples.guess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.env.Conversation;
import dev.r1j.env.EnvironmentConfig;
import dev.r1j.env.Observation;
import dev.r1j.env.ToolRunner;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GuessNumberEnvironmentTest {

    @Test
    void bisectionFindsTheSecretAndTheCorrectGuessEndsWithReward() {
        GuessNumberEnvironment game = new GuessNumberEnvironment(100);
        Conversation c = Conversation.start("game 42");
        int lo = 1, hi = 100, guesses = 0;
        while (true) {
            int mid = (lo + hi) / 2;
            guesses++;
            Observation o = game.respond(new dev.r1j.env.ToolCall("guess", Map.of("code", Integer.toString(mid))), c);
            if (o.done()) {
                assertEquals("correct", o.text());
                assertEquals(1.0, o.reward());
                assertEquals(game.secret("game 42"), mid);
                break;
            }
            assertEquals(0.0, o.reward());
            if (o.text().equals("higher")) lo = mid + 1;
            else hi = mid - 1;
        }
        assertTrue(guesses <= 7, "bisection over 100 needs at most 7 guesses, took " + guesses);
    }

    @Test
    void badGuessesAndOptionsAreReported() {
        GuessNumberEnvironment game = new GuessNumberEnvironment(10);
        Observation o = game.respond(new dev.r1j.env.ToolCall("guess", Map.of("code", "ten")), Conversation.start("g"));
        assertTrue(o.isError());
        assertEquals("Error: guess needs a whole number, got 'ten'", o.text());
        GuessNumberProvider p = new GuessNumberProvider();
        assertThrows(IllegalArgumentException.class, () -> p.create(EnvironmentConfig.of("calculator").withOptions(Map.of("mx", 3))));
        assertThrows(IllegalArgumentException.class, () -> p.create(EnvironmentConfig.of("calculator").withOptions(Map.of("max", 2.5))));
    }

    @Test
    void throughTheRunnerAFencedGuessIsACall() {
        try (ToolRunner r = new ToolRunner(new GuessNumberEnvironment(3), EnvironmentConfig.of("calculator"))) {
            String turn = "```guess\n4\n```";
            ToolRunner.Outcome o = r.submit(Conversation.start("x").with(Conversation.Message.assistant(turn)), turn).join();
            assertEquals("lower", o.output());
        }
    }
}
