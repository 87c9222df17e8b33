package dev.r1j.recipes.cli;

import dev.r1j.recipes.BundledRecipes;
import dev.r1j.recipes.RecipeSettings;
import dev.r1j.recipes.config.OptionDoc;
import dev.r1j.recipes.config.Options;
import dev.r1j.recipes.stage.StageProvider;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code recipe explain [STAGE]}: the options of a stage (key, default, type, help), or what exists. */
@Command(name = "explain", description = {
        "Prints every option of a stage: key, default, type, one line of help.",
        "Without STAGE, lists the stages, the top-level recipe keys and the bundled recipes."})
final class ExplainCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", arity = "0..1", paramLabel = "STAGE", description = "A stage name, e.g. grpo.")
    String stage;

    @Override
    public Integer call() {
        PrintWriter out = main.out();
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
        } else {
            StageProvider<?> p = stages.get(stage);
            out.println(p.name() + ": " + p.description());
            out.println();
            print(out, rows(Options.describe(p.optionsType())));
        }
        out.flush();
        return 0;
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
