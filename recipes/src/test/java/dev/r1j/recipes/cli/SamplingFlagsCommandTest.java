package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1j.core.sampling.SamplingParams;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The sampling flags of {@code recipe eval} and {@code recipe generate}: declared once ({@link SamplingFlags}), each
 * command's documented defaults, one usage error naming the flag for a bad value, and eval's new {@code --top-k}
 * reaching the sampler.
 */
class SamplingFlagsCommandTest {
    static final Set<String> SAMPLING_FLAGS = Set.of("--temperature", "--top-p", "--top-k", "--max-new-tokens",
            "--stop", "--seed", "--batch-size");
    static final ObjectMapper JSON = new ObjectMapper();

    static CommandLine commandLine() {
        return Main.commandLine(new Main(StageRegistry::of, ProgressFactory.none()),
                new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true));
    }

    /** The options the {@link SamplingFlags} mixin of {@code command} contributes, by name. */
    static Map<String, OptionSpec> mixinOptions(CommandSpec command) {
        List<CommandSpec> mixins = command.mixins().values().stream()
                .filter(m -> m.userObject() instanceof SamplingFlags).toList();
        assertEquals(1, mixins.size(), command.qualifiedName() + " has one SamplingFlags mixin");
        Map<String, OptionSpec> out = new java.util.TreeMap<>();
        for (OptionSpec o : mixins.get(0).options()) out.put(o.longestName(), o);
        return out;
    }

    @Test
    void evalAndGenerateTakeTheSamplingFlagsFromTheOneMixin() {
        CommandLine cl = commandLine();
        CommandSpec eval = cl.getSubcommands().get("eval").getCommandSpec();
        CommandSpec generate = cl.getSubcommands().get("generate").getCommandSpec();
        Map<String, OptionSpec> fromEval = mixinOptions(eval);
        Map<String, OptionSpec> fromGenerate = mixinOptions(generate);
        assertEquals(new TreeSet<>(SAMPLING_FLAGS), fromEval.keySet());
        assertEquals(fromEval.keySet(), fromGenerate.keySet());
        for (String name : SAMPLING_FLAGS) {
            // the command's option under that name is the mixin's, not a declaration of the command's own
            assertSame(fromEval.get(name), eval.findOption(name), "eval " + name);
            assertSame(fromGenerate.get(name), generate.findOption(name), "generate " + name);
            OptionSpec e = fromEval.get(name);
            OptionSpec g = fromGenerate.get(name);
            assertEquals(Arrays.asList(e.names()), Arrays.asList(g.names()), name);
            assertEquals(e.paramLabel(), g.paramLabel(), name);
            // one line of help each; the same text but for the command's default value
            assertEquals(1, e.description().length, name);
            assertEquals(e.description()[0].replaceAll("\\(default: [^)]*\\)", ""),
                    g.description()[0].replaceAll("\\(default: [^)]*\\)", ""), name);
        }
    }

    @Test
    void noCommandDeclaresASamplingFlagOfItsOwn() {
        CommandLine cl = commandLine();
        for (CommandLine sub : cl.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            List<OptionSpec> fromMixin = new ArrayList<>();
            spec.mixins().values().stream().filter(m -> m.userObject() instanceof SamplingFlags)
                    .forEach(m -> fromMixin.addAll(m.options()));
            for (OptionSpec o : spec.options()) {
                if (!SAMPLING_FLAGS.contains(o.longestName())) continue;
                assertTrue(fromMixin.stream().anyMatch(m -> m == o),
                        spec.qualifiedName() + " declares " + o.longestName() + " itself instead of using SamplingFlags");
            }
        }
    }

    /** The command object after parsing {@code args} (nothing runs). */
    @SuppressWarnings("unchecked")
    static <T> T parsed(String command, String... args) {
        CommandLine cl = commandLine();
        List<String> all = new ArrayList<>(List.of(command));
        all.addAll(List.of(args));
        cl.parseArgs(all.toArray(String[]::new));
        return (T) cl.getSubcommands().get(command).getCommand();
    }

    @Test
    void eachCommandHasItsDocumentedDefaults() {
        EvalCommand eval = parsed("eval", "--model", "m", "--dataset", "d");
        assertEquals(new SamplingParams(1, 256, 0.0, 1.0, 0, List.of(), 0L), eval.sampling.params(eval.k),
                "eval: greedy for k = 1, 256 new tokens");
        assertEquals(16, eval.sampling.batchSize());
        EvalCommand evalK = parsed("eval", "--model", "m", "--dataset", "d", "-k", "4");
        assertEquals(new SamplingParams(4, 256, 1.0, 1.0, 0, List.of(), 0L), evalK.sampling.params(evalK.k),
                "eval -k 4: temperature 1.0");
        EvalCommand evalT = parsed("eval", "--model", "m", "--dataset", "d", "--temperature", "1.0");
        assertEquals(1.0, evalT.sampling.params(evalT.k).temperature(), "a given temperature wins over greedy at k = 1");

        GenerateCommand generate = parsed("generate", "--model", "m", "--prompt", "p");
        assertEquals(new SamplingParams(1, 64, 1.0, 1.0, 0, List.of(), 0L), generate.sampling.params(generate.n),
                "generate: temperature 1.0, 64 new tokens");
        assertEquals(8, generate.sampling.batchSize());

        // the help shows each command's own defaults
        String evalHelp = commandLine().getSubcommands().get("eval").getUsageMessage();
        String generateHelp = commandLine().getSubcommands().get("generate").getUsageMessage();
        assertTrue(evalHelp.contains("--max-new-tokens=N   Most tokens per completion (default: 256)."), evalHelp);
        assertTrue(evalHelp.contains("--batch-size=N       Prompts decoded together (default: 16)."), evalHelp);
        assertTrue(generateHelp.contains("--max-new-tokens=N   Most tokens per completion (default: 64)."), generateHelp);
        assertTrue(generateHelp.contains("--batch-size=N       Prompts decoded together (default: 8)."), generateHelp);
    }

    @Test
    void givenFlagsBuildTheSamplingParamsOfBothCommandsAlike() {
        String[] flags = {"--temperature", "0.7", "--top-p", "0.9", "--top-k", "5", "--max-new-tokens", "9",
                "--stop", "\n", "--stop", "==", "--seed", "3", "--batch-size", "2"};
        SamplingParams want = new SamplingParams(2, 9, 0.7, 0.9, 5, List.of("\n", "=="), 3L);
        EvalCommand eval = parsed("eval", Stream.concat(Stream.of("--model", "m", "--dataset", "d", "-k", "2"),
                Arrays.stream(flags)).toArray(String[]::new));
        GenerateCommand generate = parsed("generate", Stream.concat(Stream.of("--model", "m", "--prompt", "p", "-n", "2"),
                Arrays.stream(flags)).toArray(String[]::new));
        assertEquals(want, eval.sampling.params(eval.k));
        assertEquals(want, generate.sampling.params(generate.n));
        assertEquals(2, eval.sampling.batchSize());
        assertEquals(2, generate.sampling.batchSize());
    }

    static Stream<Arguments> badValues() {
        List<Arguments> out = new ArrayList<>();
        Map<String, List<String>> commands = Map.of(
                "eval", List.of("eval", "--model", "m", "--dataset", "d"),
                "generate", List.of("generate", "--model", "m", "--prompt", "p"));
        List<List<String>> cases = List.of(
                List.of("--top-p", "1.5", "--top-p must be in (0, 1], got 1.5"),
                List.of("--top-p", "0", "--top-p must be in (0, 1], got 0.0"),
                List.of("--temperature", "-1", "--temperature must be finite and >= 0, got -1.0"),
                List.of("--temperature", "Infinity", "--temperature must be finite and >= 0, got Infinity"),
                List.of("--temperature", "NaN", "--temperature must be finite and >= 0, got NaN"),
                List.of("--top-k", "-1", "--top-k must be >= 0 (0 is off), got -1"),
                List.of("--max-new-tokens", "0", "--max-new-tokens must be at least 1, got 0"),
                List.of("--batch-size", "0", "--batch-size must be at least 1, got 0"),
                List.of("--stop", "", "--stop strings must be non-empty"));
        for (var c : commands.entrySet()) {
            for (List<String> bad : cases) out.add(Arguments.of(c.getKey(), c.getValue(), bad.get(0), bad.get(1), bad.get(2)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {2} {3}")
    @MethodSource("badValues")
    void aBadValueIsOneUsageErrorNamingTheFlag(String command, List<String> base, String flag, String value,
            String message) {
        CommandHarness cli = new CommandHarness();
        List<String> args = new ArrayList<>(base);
        args.add(flag);
        args.add(value);
        assertEquals(Main.EXIT_USAGE, cli.run(args.toArray(String[]::new)), cli.err.toString());
        assertEquals("recipe " + command + ": " + message + "\nTry 'recipe " + command + " --help'.\n",
                cli.err.toString());
        assertEquals("", cli.out.toString());
    }

    @Test
    void evalsOwnBadFlagsAreUsageErrorsAsWell() {
        CommandHarness cli = new CommandHarness();
        assertEquals(Main.EXIT_USAGE, cli.run("eval", "--model", "m", "--dataset", "d", "-k", "0"));
        assertEquals("recipe eval: -k must be >= 1, got 0\nTry 'recipe eval --help'.\n", cli.err.toString());
        CommandHarness limit = new CommandHarness();
        assertEquals(Main.EXIT_USAGE, limit.run("eval", "--model", "m", "--dataset", "d", "--limit", "-1"));
        assertTrue(limit.err.toString().startsWith("recipe eval: --limit must be >= 0 (0 = all), got -1\n"),
                limit.err.toString());
    }

    @Test
    void evalResolvesABareModelNameAsTheOtherCommandsDo() {
        CommandHarness cli = new CommandHarness();
        assertEquals(Main.EXIT_ERROR, cli.run("eval", "--model", "no-such-model-r1j", "--dataset", "d"));
        String expected = dev.r1j.recipes.ModelSpec.modelsDir().resolve("no-such-model-r1j").toString();
        assertEquals("recipe eval: --model: no such checkpoint directory " + expected + "\n", cli.err.toString());
    }

    /** Completions of eval.json, problem by problem. */
    static List<List<String>> completions(Path evalJson, int k) throws Exception {
        JsonNode rows = JSON.readTree(evalJson.toFile()).get("completions");
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            if (i % k == 0) out.add(new ArrayList<>());
            out.get(i / k).add(rows.get(i).get("completion").asText());
        }
        return out;
    }

    @Test
    void evalTopKReachesTheSampler(@TempDir Path work) throws Exception {
        Path model = TinyCheckpoint.write(work.resolve("tiny"), 8);
        Path data = work.resolve("sums.jsonl");
        Files.writeString(data, """
                {"prompt": "1+1=", "answer": "2"}
                {"prompt": "2+3=", "answer": "5"}
                {"prompt": "ab:", "answer": "7"}
                """);
        List<String> base = List.of("eval", "--model", model.toString(), "--dataset", data.toString(),
                "--max-new-tokens", "6");
        Path greedy = work.resolve("greedy.json");
        Path topK = work.resolve("top-k.json");
        Path hot = work.resolve("hot.json");
        run(base, "--output", greedy.toString());
        run(base, "-k", "3", "--temperature", "5", "--top-k", "1", "--output", topK.toString());
        run(base, "-k", "3", "--temperature", "5", "--output", hot.toString());

        List<List<String>> want = completions(greedy, 1);
        assertEquals(3, want.size());
        List<List<String>> kept = completions(topK, 3);
        for (int p = 0; p < want.size(); p++) {
            assertEquals(List.of(want.get(p).get(0), want.get(p).get(0), want.get(p).get(0)), kept.get(p),
                    "top-k 1 keeps the most likely token at any temperature: greedy, problem " + p);
        }
        // without --top-k the same temperature wanders off the greedy path: the check above can fail
        assertTrue(completions(hot, 3).stream().flatMap(List::stream).anyMatch(
                c -> want.stream().noneMatch(w -> w.get(0).equals(c))), "T = 5 without top-k sampled only greedy text");
        JsonNode header = JSON.readTree(topK.toFile());
        assertEquals(1, header.get("top_k").asInt());
        assertEquals(5.0, header.get("temperature").asDouble());
        assertNotNull(header.get("top_p"));
    }

    static void run(List<String> base, String... more) {
        CommandHarness cli = new CommandHarness();
        List<String> args = new ArrayList<>(base);
        args.addAll(List.of(more));
        assertEquals(0, cli.run(args.toArray(String[]::new)), cli.err.toString());
    }
}
