package dev.r1j.recipes.stage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.recipes.ToyStage;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StageRegistryTest {
    @Test
    void findsPluginStagesThroughServiceFiles(@TempDir Path plugin) throws Exception {
        assertFalse(StageRegistry.defaultRegistry().contains("toy"), "the test stage is not shipped");
        // A "plugin jar": a class-path entry whose service file names a provider.
        Path services = Files.createDirectories(plugin.resolve("META-INF/services"));
        Files.writeString(services.resolve(StageProvider.class.getName()), "# a plugin\n" + ToyStage.Provider.class.getName() + "\n");
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        try (URLClassLoader cl = new URLClassLoader(new URL[] {plugin.toUri().toURL()}, getClass().getClassLoader())) {
            thread.setContextClassLoader(cl);
            StageRegistry r = StageRegistry.defaultRegistry();
            assertTrue(r.names().contains("toy"), r.names().toString());
            assertEquals(ToyStage.Provider.class, r.get("toy").getClass());
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    @Test
    void duplicateAndUnknownNamesAreClearErrors() {
        String m = assertThrows(IllegalStateException.class,
                () -> StageRegistry.of(new ToyStage.Provider(), new ToyStage.Provider())).getMessage();
        assertEquals("two stage providers are named 'toy': dev.r1j.recipes.ToyStage$Provider and dev.r1j.recipes.ToyStage$Provider"
                + " (remove one jar from the class path or rename one provider)", m);
        StageRegistry r = StageRegistry.of(new ToyStage.Provider());
        assertEquals("unknown stage 'tyo' (did you mean 'toy'?); known stages: toy",
                assertThrows(IllegalArgumentException.class, () -> r.get("tyo")).getMessage());
        assertEquals("unknown stage 'pretrain'; known stages: toy", r.unknown("pretrain"));
    }
}
