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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verifier plugin is found with no change to the core: the R1J class path as it is, plus the plugin's jar (or,
 * under {@code mvn test} without packaging, its classes directory) and nothing else. The command line runs as a user
 * runs it, through the repository's {@code ./recipe} script with {@code --plugins} or {@code R1J_PLUGINS}; the
 * registry is loaded in a class loader of its own.
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
    void recipeExplainVerifiersListsCoreAndPluginVerifiersWithTheirOptions() throws Exception {
        Run without = recipe(null, "explain", "verifiers");
        assertEquals(0, without.exit, without.err);
        assertTrue(without.out.contains("math: ") && without.out.contains("answer_key"), without.out);
        assertFalse(without.out.contains("countdown"), without.out);
        Run with = recipe(plugin, "explain", "verifiers");
        assertEquals(0, with.exit, with.err);
        for (String name : registryNames(withPlugin())) {
            assertTrue(with.out.contains("\n" + name + ": "), name + " not listed:\n" + with.out);
        }
        String countdown = with.out.substring(with.out.indexOf("\ncountdown: "));
        for (String option : List.of("format_score", "use_all", "max_equation_chars")) {
            assertTrue(countdown.contains(option), option + " not listed:\n" + countdown);
        }
        System.out.println("recipe explain verifiers, with the plugin:\n" + countdown.strip().lines().limit(6)
                .reduce((a, b) -> a + "\n" + b).orElse(""));
    }

    @Test
    void aMissingPluginPathIsOneClearError() throws Exception {
        Run r = recipe(null, "--plugins", "/nonexistent/plugin.jar", "explain", "verifiers");
        assertEquals(2, r.exit, r.err);
        assertTrue(r.err.contains("/nonexistent/plugin.jar") && r.err.contains("not a jar or a directory"), r.err);
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

        Run without = recipe(null, "verify", "--verifier", "countdown", "--input", in.toString(), "--output", out.toString());
        assertEquals(1, without.exit, without.err);
        assertTrue(without.err.contains("unknown verifier 'countdown'; known verifiers: "), without.err);
        String known = without.err.substring(without.err.indexOf("known verifiers: ")).strip();
        assertTrue(known.contains("math") && !known.contains("countdown"), known);
        System.out.println("without the plugin: " + without.err.strip());
        assertFalse(Files.exists(out) && Files.size(out) > 0, "nothing scored without the plugin");

        Run with = recipe(null, "--plugins", plugin, "verify", "--verifier", "countdown", "--input", in.toString(),
                "--output", out.toString());
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

        Run typo = recipe(plugin, "verify", "--verifier", "countdwn", "--input", in.toString(), "--output", out.toString());
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

    private record Run(int exit, String out, String err) {}

    /**
     * {@code ./recipe ARGS...} from the repository root, as a user runs it, with {@code R1J_PLUGINS} set to
     * {@code pluginsEnv} (unset when null). The script runs the packaged {@code recipes.jar}; under a reactor
     * {@code mvn verify} it is built before this module's tests.
     */
    private static Run recipe(String pluginsEnv, String... args) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path script = root.resolve("recipe");
        assertTrue(Files.isExecutable(script), "no ./recipe at " + script);
        Assumptions.assumeTrue(Files.isRegularFile(root.resolve("recipes/target/recipes.jar")),
                "recipes/target/recipes.jar is not built (run mvn verify, or ./recipe once)");
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile());
        pb.environment().remove("R1J_PLUGINS");
        if (pluginsEnv != null) pb.environment().put("R1J_PLUGINS", pluginsEnv);
        Path stdout = Files.createTempFile("recipe-out", ".txt");
        try {
            Process p = pb.redirectOutput(stdout.toFile()).start();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            return new Run(exit, Files.readString(stdout), err);
        } finally {
            Files.deleteIfExists(stdout);
        }
    }
}
