package dev.r1j.options;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    @Test
    void distanceMatchesHandWorkedCases() {
        assertEquals(1, DidYouMean.distance("stpes", "steps")); // a transposition is one edit
        assertEquals(1, DidYouMean.distance("math", "maht"));
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
        assertEquals(0, DidYouMean.distance("", ""));
        assertEquals(4, DidYouMean.distance("", "beta"));
        assertEquals(2, DidYouMean.distance("ab", "ba!"));
    }

    @Test
    void suggestsOnlyCloseNames() {
        List<String> keys = List.of("steps", "seed", "group_size", "max_new_tokens");
        assertEquals(Optional.of("steps"), DidYouMean.suggest("stpes", keys));
        assertEquals(Optional.of("steps"), DidYouMean.suggest("STEPS", keys)); // case-insensitive
        assertEquals(Optional.of("group_size"), DidYouMean.suggest("groupsize", keys));
        assertEquals(Optional.of("max_new_tokens"), DidYouMean.suggest("max_new_token", keys));
        assertEquals(Optional.empty(), DidYouMean.suggest("temperature", keys));
        assertEquals(Optional.empty(), DidYouMean.suggest("", keys));
        assertEquals(" (did you mean 'steps'?)", DidYouMean.hint("stpes", keys));
        assertEquals("", DidYouMean.hint("temperature", keys));
    }
}
