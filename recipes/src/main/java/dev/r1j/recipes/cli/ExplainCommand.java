package dev.r1j.recipes.cli;

import dev.r1j.recipes.BundledRecipes;
import dev.r1j.recipes.RecipeSettings;
import dev.r1j.recipes.config.OptionDoc;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.stage.StageProvider;
import dev.r1j.recipes.stage.StageRegistry;
import dev.r1j.verifiers.VerifierOption;
import dev.r1j.verifiers.VerifierProvider;
import dev.r1j.verifiers.VerifierRegistry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code recipe explain [STAGE | verifiers]}: the options of a stage (key, default, type, help), every verifier on
 * the class path (core and plugins) with its options, or what exists.
 */
@Command(name = "explain", description = {
        "Prints every option of a stage: key, default, type, one line of help.",
        "'recipe explain verifiers' lists every verifier found (core and plugins) with its options.",
        "Without STAGE, lists the stages, the top-level recipe keys and the bundled recipes."})
final class ExplainCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    /** The pseudo-stage that lists the verifiers. */
    static final String VERIFIERS = "verifiers";

    @Parameters(index = "0", arity = "0..1", paramLabel = "STAGE",
            description = "A stage name, e.g. grpo, or 'verifiers'.")
    String stage;

    @Override
    public Integer call() {
        PrintWriter out = main.out();
        if (VERIFIERS.equals(stage)) {
            explainVerifiers(out, VerifierRegistry.defaultRegistry());
            out.flush();
            return 0;
        }
        StageRegistry stages = main.stages();
        if (stage == null) {
            out.println("Stages (recipe explain STAGE shows the options):");
            List<String[]> rows = new ArrayList<>();
            for (String name : stages.names()) {
                rows.add(new String[] {"  " + name, stages.get(name).description()});
            }
            if (rows.isEmpty()) {
                rows.add(new String[] {"  (none on the class path)", ""});
            }
            print(out, rows);
            out.println();
            out.println("Recipe keys:");
            List<String[]> keys = rows(Options.describe(RecipeSettings.class));
            keys.add(new String[] {"  stages", "required", "a list", "stages in order, each a one-key map: '- grpo: {steps: 50}'"});
            print(out, keys);
            out.println();
            List<String> bundled = BundledRecipes.names();
            out.println("Bundled recipes: " + (bundled.isEmpty() ? "none" : String.join(", ", bundled)));
            out.println("Verifiers: recipe explain verifiers");
        } else {
            StageProvider<?> p = stages.get(stage);
            out.println(p.name() + ": " + p.description());
            out.println();
            print(out, rows(Options.describe(p.optionsType())));
        }
        out.flush();
        return 0;
    }

    /** Each verifier: name, where it comes from (its jar), description, then its options. */
    static void explainVerifiers(PrintWriter out, VerifierRegistry registry) {
        out.println("Verifiers on the class path (core and plugins), with their options:");
        for (String name : registry.names()) {
            VerifierProvider p = registry.provider(name);
            out.println();
            out.println(name + ": " + p.description());
            out.println("  from " + origin(p.getClass()));
            List<VerifierOption> options = p.options();
            if (options.isEmpty()) {
                out.println("  (no options declared)");
                continue;
            }
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"  key", "default", "help"});
            for (VerifierOption o : options) {
                rows.add(new String[] {"  " + o.key(), o.defaultValue(), o.help()});
            }
            print(out, rows);
        }
    }

    /** The jar or directory a class was loaded from, by file name. */
    private static String origin(Class<?> c) {
        try {
            java.security.CodeSource source = c.getProtectionDomain().getCodeSource();
            if (source != null && source.getLocation() != null) {
                Path p = Path.of(source.getLocation().toURI());
                return p.getFileName() == null ? p.toString() : p.getFileName().toString();
            }
        } catch (java.net.URISyntaxException | IllegalArgumentException | SecurityException e) {
            // fall through: the location is informative only
        }
        return "(unknown location)";
    }

    private static List<String[]> rows(List<OptionDoc> docs) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"  key", "default", "type", "help"});
        for (OptionDoc d : docs) {
            rows.add(new String[] {"  " + d.key(), d.defaultValue(), d.type(), d.help()});
        }
        return rows;
    }

    /** Left-aligned columns; the last one is not padded. */
    private static void print(PrintWriter out, List<String[]> rows) {
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < cols - 1; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < cols; i++) {
                sb.append(i < cols - 1 ? r[i] + " ".repeat(w[i] - r[i].length() + 2) : r[i]);
            }
            out.println(sb.toString().stripTrailing());
        }
    }
}
