package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.examples.countdown.CountdownVerifierProvider;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier plugin is found with no change to the core: the R1J class path as it is, plus the plugin's jar (or,
 * under {@code mvn test} without packaging, its classes directory) and nothing else. The command line runs in a
 * child JVM with exactly that class path; the registry is loaded in a class loader of its own.
 */
class VerifierPluginDiscoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static List<String> core;
    private static String plugin;

    @BeforeAll
    static void classPaths() throws Exception {
        plugin = Path.of(CountdownVerifierProvider.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        core = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank() && !Path.of(e).toAbsolutePath().toString().equals(plugin)) core.add(e);
        }
        assertEquals(cp.split(File.pathSeparator).length - 1, core.size(), "the plugin is one class path entry: " + plugin);
        System.out.println("verifier plugin under test: " + plugin);
    }

    private static List<String> withPlugin() {
        List<String> cp = new ArrayList<>(core);
        cp.add(plugin);
        return cp;
    }

    @Test
    void registryListsThePluginOnlyWhenItsJarIsThere() throws Exception {
        assertFalse(registryNames(core).contains("countdown"));
        assertTrue(registryNames(core).contains("math"));
        List<String> names = registryNames(withPlugin());
        assertTrue(names.contains("countdown"), names.toString());
        assertTrue(names.containsAll(registryNames(core)), "the built-in verifiers stay");
    }

    @Test
    void recipeVerifyScoresWithThePlugin(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"completion\": \"<think>25-5=20</think><answer>(25-5)*3</answer>\", \"target\": 60, \"nums\": [25, 5, 3]}",
                "{\"completion\": \"<answer>25*3-5</answer>\", \"target\": 60, \"nums\": [25, 5, 3]}",
                "{\"completion\": \"60\", \"target\": 60, \"nums\": [25, 5, 3]}",
                "{\"completion\": \"<answer>6/(1-3/4)</answer>\", \"target\": 24, \"nums\": [1, 3, 4, 6]}") + "\n");
        Path out = dir.resolve("out.jsonl");

        Run without = cli(core, "verify", "--verifier", "countdown", "--input", in.toString(), "--output", out.toString());
        assertEquals(1, without.exit, without.err);
        assertTrue(without.err.contains("unknown verifier 'countdown'; known verifiers: "), without.err);
        String known = without.err.substring(without.err.indexOf("known verifiers: ")).strip();
        assertTrue(known.contains("math") && !known.contains("countdown"), known);
        System.out.println("without the plugin: " + without.err.strip());
        assertFalse(Files.exists(out) && Files.size(out) > 0, "nothing scored without the plugin");

        Run with = cli(withPlugin(), "verify", "--verifier", "countdown", "--input", in.toString(), "--output", out.toString());
        assertEquals(0, with.exit, with.err);
        assertTrue(with.err.contains("verified 4 line(s) with 'countdown': mean reward 0.5250"), with.err);
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        double[] want = {1.0, 0.1, 0.0, 1.0};
        assertEquals(want.length, lines.size());
        for (int i = 0; i < want.length; i++) {
            JsonNode row = JSON.readTree(lines.get(i));
            assertEquals(want[i], row.get("reward").asDouble(), lines.get(i));
        }
        assertTrue(JSON.readTree(lines.get(1)).get("reason").asText().contains("evaluates to 70"), lines.get(1));

        Run typo = cli(withPlugin(), "verify", "--verifier", "countdwn", "--input", in.toString(), "--output", out.toString());
        assertEquals(1, typo.exit);
        System.out.println("with the plugin, a typo: " + typo.err.strip());
        assertTrue(typo.err.contains("countdown") && typo.err.contains("did you mean 'countdown'?"), typo.err);
    }

    /** {@code VerifierRegistry.defaultRegistry().names()} seen from a class loader over {@code classPath} only. */
    @SuppressWarnings("unchecked")
    private static List<String> registryNames(List<String> classPath) throws Exception {
        URL[] urls = new URL[classPath.size()];
        for (int i = 0; i < urls.length; i++) urls[i] = Path.of(classPath.get(i)).toUri().toURL();
        try (URLClassLoader loader = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
            Class<?> registry = loader.loadClass("dev.r1j.verifiers.VerifierRegistry");
            Object reg = registry.getMethod("load", ClassLoader.class).invoke(null, loader);
            return (List<String>) registry.getMethod("names").invoke(reg);
        }
    }

    private record Run(int exit, String err) {}

    /** {@code recipe ARGS...} in a fresh JVM whose class path is exactly {@code classPath}. */
    private static Run cli(List<String> classPath, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Dai.djl.offline=true", "-cp", String.join(File.pathSeparator, classPath),
                "dev.r1j.recipes.cli.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), err);
    }
}
