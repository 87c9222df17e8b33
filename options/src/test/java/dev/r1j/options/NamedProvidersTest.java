package dev.r1j.options;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamedProvidersTest {
    /** A plugin kind for the test; two implementations are listed in this module's test META-INF/services. */
    public interface Plugin {
        String name();
    }

    public static final class Alpha implements Plugin {
        @Override
        public String name() {
            return "alpha";
        }
    }

    public static final class Beta implements Plugin {
        @Override
        public String name() {
            return "beta";
        }
    }

    record Named(String name) implements Plugin {}

    @Test
    void serviceLoaderFindsListedProvidersSortedByName() {
        NamedProviders<Plugin> p = NamedProviders.load("plugin", Plugin.class, Plugin::name,
                NamedProvidersTest.class.getClassLoader());
        assertEquals(List.of("alpha", "beta"), p.names());
        assertTrue(p.get("beta") instanceof Beta);
        assertTrue(p.contains("alpha"));
        assertFalse(p.contains("gamma"));
        assertFalse(p.contains(null));
    }

    @Test
    void unknownNameListsTheKnownOnesAndTheNearest() {
        NamedProviders<Plugin> p = NamedProviders.of("stage", List.of(new Named("sft"), new Named("grpo"), new Named("eval")),
                Plugin::name);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.get("gpro"));
        assertEquals("unknown stage 'gpro' (did you mean 'grpo'?); known stages: eval, grpo, sft", e.getMessage());
        assertEquals("unknown stage 'pretraining'; known stages: eval, grpo, sft", p.unknown("pretraining"));
        assertEquals("unknown stage 'null'; known stages: eval, grpo, sft", p.unknown(null));
        assertEquals("unknown verifier 'x'; known verifiers: (none on the class path)",
                NamedProviders.of("verifier", List.<Plugin>of(), Plugin::name).unknown("x"));
    }

    @Test
    void twoProvidersWithOneNameOrABlankNameAreRefused() {
        Named first = new Named("math");
        IllegalStateException dup = assertThrows(IllegalStateException.class,
                () -> NamedProviders.of("verifier", List.of(first, new Alpha(), new Named("math")), Plugin::name));
        assertTrue(dup.getMessage().startsWith("two verifier providers are named 'math': " + Named.class.getName()
                + " and " + Named.class.getName()), dup.getMessage());
        IllegalStateException blank = assertThrows(IllegalStateException.class,
                () -> NamedProviders.of("environment", List.of(new Named(" ")), Plugin::name));
        assertEquals("environment provider " + Named.class.getName() + " has a blank name()", blank.getMessage());
        NamedProviders<Plugin> one = NamedProviders.of("verifier", List.of(first), Plugin::name);
        assertSame(first, one.get("math"));
    }
}
