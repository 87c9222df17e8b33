package dev.r1j.recipes.cli;

import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.RecipeLoader;
import dev.r1j.recipes.run.RecipeRunner;
import dev.r1j.recipes.run.RunMode;
import dev.r1j.recipes.run.RunStoppedException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code recipe run FILE [--set key=value]... [--resume | --overwrite] [--dry-run]}. */
@Command(name = "run", description = "Runs a recipe: its stages in order over one run directory.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "A recipe YAML file, or the name of a recipe bundled in R1J (e.g. r1-zero.yaml).")
    String file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Overrides one recipe value; repeatable; the value is YAML. "
                    + "E.g. --set stages[0].grpo.steps=50 --set model.init=runs/base")
    List<String> overrides = new ArrayList<>();

    @Option(names = "--resume", description = "Continue the run in run_dir: skip finished stages, resume the unfinished one.")
    boolean resume;

    @Option(names = "--overwrite", description = "Delete a previous run in run_dir and start over.")
    boolean overwrite;

    @Option(names = "--tensorboard", description = "Also write TensorBoard event files into run_dir/tensorboard "
            + "(one run per stage; view with: tensorboard --logdir run_dir/tensorboard).")
    boolean tensorBoard;

    @Option(names = "--dry-run", description = "Load and validate the recipe, print it resolved, run nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws Exception {
        if (resume && overwrite) {
            throw new CommandLine.ParameterException(main.spec.commandLine().getSubcommands().get("run"),
                    "--resume and --overwrite exclude each other");
        }
        Recipe recipe = new RecipeLoader(main.stages()).load(file, overrides);
        if (dryRun) {
            main.out().println(new com.fasterxml.jackson.databind.ObjectMapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsString(recipe.resolved()));
            main.out().flush();
            return 0;
        }
        RunMode mode = resume ? RunMode.RESUME : overwrite ? RunMode.OVERWRITE : RunMode.FRESH;
        GracefulStop stop = GracefulStop.install(main.err());
        try {
            new RecipeRunner(main.out(), main.progress()).withTensorBoard(tensorBoard).run(recipe, mode);
            return 0;
        } catch (RunStoppedException e) {
            PrintWriter err = main.err();
            err.println("recipe run: " + e.getMessage() + ": " + resumeCommand());
            err.flush();
            return Main.EXIT_STOPPED;
        } finally {
            stop.close(); // after the message: a signal's shutdown waits for it
        }
    }

    /** This command line with --resume in place of --overwrite, as a user would type it again. */
    private String resumeCommand() {
        StringBuilder b = new StringBuilder("recipe run ").append(file);
        for (String o : overrides) b.append(" --set '").append(o.replace("'", "'\\''")).append('\'');
        if (tensorBoard) b.append(" --tensorboard");
        return b.append(" --resume").toString();
    }
}
