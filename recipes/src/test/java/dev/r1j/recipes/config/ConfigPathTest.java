package dev.r1j.recipes.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ConfigPathTest {
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
