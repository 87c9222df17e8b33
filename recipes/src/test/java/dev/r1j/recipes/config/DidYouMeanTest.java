package dev.r1j.recipes.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {
    @Test
    void distanceCountsSwapsAsOneEdit() {
        assertEquals(1, DidYouMean.distance("stpes", "steps"));
        assertEquals(3, DidYouMean.distance("kitten", "sitting"));
        assertEquals(0, DidYouMean.distance("", ""));
        assertEquals(4, DidYouMean.distance("", "beta"));
    }

    @Test
    void suggestsOnlyCloseNames() {
        List<String> keys = List.of("steps", "seed", "group_size", "max_new_tokens");
        assertEquals(Optional.of("steps"), DidYouMean.suggest("stpes", keys));
        assertEquals(Optional.of("group_size"), DidYouMean.suggest("groupsize", keys));
        assertEquals(Optional.of("max_new_tokens"), DidYouMean.suggest("max_new_token", keys));
        assertEquals(Optional.empty(), DidYouMean.suggest("temperature", keys));
    }

    @Test
    void pathsParseAndFormat() {
        assertEquals("stages[0].grpo.clip.high", ConfigPath.format(ConfigPath.parse("stages[0].grpo.clip.high")));
        assertEquals("stages[0]", ConfigPath.parent("stages[0].grpo"));
        assertEquals("stages", ConfigPath.parent("stages[0]"));
        assertEquals("", ConfigPath.parent("stages"));
        assertEquals(true, ConfigPath.isBelow("stages[0].grpo", "stages"));
        assertEquals(false, ConfigPath.isBelow("stagesX", "stages"));
        assertThrows(IllegalArgumentException.class, () -> ConfigPath.parse("stages[x]"));
        assertThrows(IllegalArgumentException.class, () -> ConfigPath.parse("a..b"));
        assertThrows(IllegalArgumentException.class, () -> ConfigPath.parse("a."));
    }
}
