package dev.r1j.recipes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * "Each option declared once" across the {@code recipe} subcommands: a flag two commands share comes from one mixin
 * ({@link ModelOption}, {@link DeviceFlag}, {@link SamplingFlags}, {@link VerifierOptionFlag}), except the few names
 * listed here that mean different things in different commands.
 */
class OptionsDeclaredOnceCommandTest {
    /** Same name, different option: each command's own, on purpose. */
    static final Map<String, String> DIFFERENT_MEANINGS = Map.of(
            "--output", "the file each command writes (eval.json, generated JSONL, scored JSONL)",
            "--input", "generate reads prompts, verify reads completions",
            "--threads", "eval: PyTorch intra-op threads; verify: lines scored at once",
            "--verifier", "verify: required, any registered verifier; eval: math by default, read leniently");

    /** The class that declares {@code option}: the innermost mixin holding it, else the command itself. */
    static Class<?> declaringClass(CommandSpec spec, OptionSpec option) {
        for (CommandSpec mixin : spec.mixins().values()) {
            if (mixin.options().stream().anyMatch(o -> o == option)) return declaringClass(mixin, option);
        }
        return spec.userObject().getClass();
    }

    @Test
    void aFlagSharedByCommandsIsDeclaredOnceInAMixin() {
        CommandLine cl = SamplingFlagsCommandTest.commandLine();
        Map<String, Map<String, Class<?>>> declared = new LinkedHashMap<>(); // flag -> command -> declaring class
        for (var sub : cl.getSubcommands().entrySet()) {
            CommandSpec spec = sub.getValue().getCommandSpec();
            for (OptionSpec o : spec.options()) {
                if (o.inherited() || o.usageHelp() || o.versionHelp()) continue;
                declared.computeIfAbsent(o.longestName(), k -> new LinkedHashMap<>())
                        .put(sub.getKey(), declaringClass(spec, o));
            }
        }
        List<String> copies = new ArrayList<>();
        for (var e : declared.entrySet()) {
            if (e.getValue().size() < 2 || DIFFERENT_MEANINGS.containsKey(e.getKey())) continue;
            List<Class<?>> owners = e.getValue().values().stream().distinct().toList();
            if (owners.size() > 1 || Main.COMMANDS.contains(owners.get(0))) copies.add(e.getKey() + " " + e.getValue());
        }
        assertEquals(List.of(), copies, "flags declared more than once");
        // the mixins this test is about are in use, so the check above is not vacuous
        assertEquals(Map.of("eval", SamplingFlags.class, "generate", SamplingFlags.class), declared.get("--top-k"));
        assertEquals(Map.of("eval", VerifierOptionFlag.class, "verify", VerifierOptionFlag.class), declared.get("--option"));
        assertEquals(DeviceFlag.class, declared.get("--device").get("eval"));
        assertEquals(4, declared.get("--model").size(), declared.get("--model").toString());
    }

    @Test
    void aMalformedVerifierOptionIsTheSameErrorInEvalAndVerify(@TempDir Path dir) throws Exception {
        Path in = Files.writeString(dir.resolve("in.jsonl"), "{\"completion\": \"x\", \"answer\": \"1\"}\n");
        CommandHarness verify = new CommandHarness();
        assertEquals(Main.EXIT_ERROR, verify.run("verify", "--verifier", "math", "--option", "strict", "--input",
                in.toString(), "--output", dir.resolve("out.jsonl").toString()));
        assertEquals("recipe verify: --option expects KEY=VALUE, got 'strict'\n", verify.err.toString());
        CommandHarness eval = new CommandHarness();
        assertEquals(Main.EXIT_ERROR, eval.run("eval", "--model", dir.toString(), "--dataset", in.toString(),
                "--option", "strict"));
        assertEquals("recipe eval: --option expects KEY=VALUE, got 'strict'\n", eval.err.toString());
        assertTrue(verify.out.toString().isEmpty() && eval.out.toString().isEmpty());
    }
}
