package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.r1j.examples.guess.GuessNumberProvider;
import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The environment plugin is found with no change to the core: the R1J class path as it is plus the plugin's jar (or,
 * under {@code mvn test} without packaging, its classes directory), loaded in a class loader of its own; a recipe's
 * {@code environment.name} then resolves to it, and without it the error lists the environments there are.
 */
class EnvironmentPluginDiscoveryTest {
    private static List<String> core;
    private static String plugin;

    @BeforeAll
    static void classPaths() throws Exception {
        plugin = Path.of(GuessNumberProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        core = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank() && !Path.of(e).toAbsolutePath().toString().equals(plugin)) core.add(e);
        }
        assertEquals(cp.split(File.pathSeparator).length - 1, core.size(), "the plugin is one class path entry: " + plugin);
        System.out.println("environment plugin under test: " + plugin);
    }

    private static URLClassLoader loader(boolean withPlugin) throws Exception {
        List<String> cp = new ArrayList<>(core);
        if (withPlugin) cp.add(plugin);
        URL[] urls = new URL[cp.size()];
        for (int i = 0; i < urls.length; i++) urls[i] = Path.of(cp.get(i)).toUri().toURL();
        return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(URLClassLoader loader) throws Exception {
        Class<?> registry = loader.loadClass("dev.r1j.env.EnvironmentRegistry");
        Object reg = registry.getMethod("load", ClassLoader.class).invoke(null, loader);
        return (List<String>) registry.getMethod("names").invoke(reg);
    }

    /** {@code EnvironmentConfig.of(name)} in {@code loader}, as a recipe binds it (the name is checked there). */
    private static Object config(URLClassLoader loader, String name) throws Throwable {
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader); // the registry a recipe consults is the context class loader's
        try {
            return loader.loadClass("dev.r1j.env.EnvironmentConfig").getMethod("of", String.class).invoke(null, name);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    @Test
    void theRegistryListsThePluginOnlyWhenItsJarIsThere() throws Exception {
        try (URLClassLoader without = loader(false); URLClassLoader with = loader(true)) {
            assertEquals(List.of("calculator", "python"), names(without));
            assertEquals(List.of("calculator", "guess-number", "python"), names(with));
        }
    }

    @Test
    void aRecipeNameResolvesToThePluginAndItPlays() throws Throwable {
        try (URLClassLoader without = loader(false); URLClassLoader with = loader(true)) {
            try {
                config(without, "guess-number");
                throw new AssertionError("guess-number resolved without its jar");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains("unknown environment 'guess-number'; known environments: calculator, python"),
                        e.getMessage());
                System.out.println("without the plugin: " + e.getMessage());
            }
            Object cfg = config(with, "guess-number");
            Class<?> runnerType = with.loadClass("dev.r1j.env.ToolRunner");
            Thread.currentThread().setContextClassLoader(with);
            try (AutoCloseable runner = (AutoCloseable) runnerType.getMethod("create", cfg.getClass()).invoke(null, cfg)) {
                Class<?> conv = with.loadClass("dev.r1j.env.Conversation");
                Object start = conv.getMethod("start", String.class).invoke(null, "game 1");
                Object future = runnerType.getMethod("submit", conv, String.class).invoke(runner, start, "```guess\n0\n```");
                Object outcome = future.getClass().getMethod("join").invoke(future);
                assertEquals("higher", outcome.getClass().getMethod("output").invoke(outcome));
            } finally {
                Thread.currentThread().setContextClassLoader(getClass().getClassLoader());
            }
        }
        assertFalse(Map.of().containsKey("guess-number"));
    }
}
