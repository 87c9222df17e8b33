package dev.r1j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.Djl;
import dev.r1j.tasks.arith.ArithmeticTask;
import dev.r1j.tasks.arith.ArithmeticVocabulary;
import dev.r1j.core.io.Checkpoint;
import dev.r1j.core.model.ModelConfig;
import dev.r1j.core.model.Transformer;
import dev.r1j.core.tokenizer.CharTokenizer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippet, taken from README.md itself, compiles as shown (its own imports, nothing added) against
 * the modules it names, and runs: one GRPO step on a small checkpoint and training file of the shape the r1-zero
 * run leaves, each step printing one line of JSON.
 */
class ReadmeSnippetTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** The README's one complete Java file: a fenced java block that declares a public class. */
    private static final Pattern JAVA_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);

    static String snippet() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"));
        Matcher m = JAVA_BLOCK.matcher(readme);
        String found = null;
        while (m.find()) {
            String code = m.group(1).stripIndent();
            if (code.contains("public class ")) {
                assertEquals(null, found, "README.md has one complete Java file");
                found = code;
            }
        }
        assertTrue(found != null, "README.md has no ```java block with a public class");
        return found;
    }

    @Test
    void readmeSnippetCompilesAsShownAndRuns(@TempDir Path dir) throws Exception {
        String code = snippet();
        Matcher cls = Pattern.compile("public class (\\w+)").matcher(code);
        assertTrue(cls.find());
        String name = cls.group(1);
        Path src = dir.resolve("src").resolve(name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, code);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean ok = javac.getTask(diagnostics, null, null, List.of("-classpath", cp, "-d", classes.toString(),
                        "-Xlint:all,-path", "-Werror", "--release", "17"), null,
                javac.getStandardFileManager(null, Locale.ROOT, StandardCharsets.UTF_8).getJavaFileObjects(src.toFile()))
                .call();
        assertTrue(ok, "the README snippet does not compile:\n" + diagnostics + "\n" + code);

        // what ./recipe run r1-zero.yaml leaves: a checkpoint with the arithmetic tokenizer, and arith-train.jsonl
        Path model = dir.resolve("toy-arithmetic");
        CharTokenizer tok = ArithmeticVocabulary.tokenizer();
        try (NDManager m = Djl.newManager();
                Transformer t = Transformer.create(ModelConfig.tinyLlama(tok.vocabSize()), m, 5L)) {
            Checkpoint.save(model, t, tok);
        }
        Path data = dir.resolve("data");
        new ArithmeticTask(ArithmeticTask.Config.defaults().withSizes(0, 40, 10, 0)).writeAll(data);
        Path train = data.resolve("arith-train.jsonl");
        assertTrue(Files.isRegularFile(train), "the task writes " + train);

        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("main", String[].class)
                    .invoke(null, (Object) new String[] {model.toString(), train.toString(), "1"});
        } finally {
            System.setOut(stdout);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), "one line a step: " + lines);
        for (int i = 0; i < 1; i++) {
            JsonNode row = new ObjectMapper().readTree(lines.get(i));
            assertEquals(i + 1, row.get("step").asInt(), lines.get(i));
            assertTrue(row.get("reward_mean").isNumber() && row.get("loss").isNumber(), lines.get(i));
        }
        System.out.println("README snippet " + name + ", 1 step:\n" + String.join("\n", lines));
    }
}
