package dev.r1j.recipes.cli;

import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code recipe} command line. Each subcommand is a class of its own in this package, listed in
 * {@link #COMMANDS}; a subcommand reaches shared state (stage registry, progress, output) through its
 * {@code @ParentCommand Main}.
 *
 * <p>Exit codes: 0 success; 1 an error (one line on standard error; the stack trace only with {@code --verbose});
 * 2 a usage error; 3 {@code verify} finished but some input lines were malformed or could not be scored.
 *
 * <pre>{@code
 * int code = Main.execute("run", "r1-zero.yaml", "--set", "stages[0].grpo.steps=50");
 * }</pre>
 */
@Command(name = "recipe", mixinStandardHelpOptions = true, version = "R1J recipe 0.1.0",
        description = "R1J: reinforcement-learning post-training of reasoning models (DeepSeek-R1 style GRPO) on the JVM.",
        footer = {"", "Plugins (verifiers, stages): ./recipe --plugins JAR_OR_DIR[:...] COMMAND ..., or R1J_PLUGINS=JAR_OR_DIR[:...];",
                "'recipe explain verifiers' lists the verifiers found."},
        subcommands = CommandLine.HelpCommand.class)
public final class Main implements Runnable {
    /** The subcommands, in the order {@code recipe --help} lists them. Register a new command by adding it here. */
    static final List<Class<?>> COMMANDS = List.of(
            RunCommand.class,
            ExplainCommand.class,
            VerifyCommand.class,
            LogprobsCommand.class,
            GenerateCommand.class,
            ServeCommand.class,
            EvalCommand.class);

    /** Exit code of an error (bad recipe, missing file, failed stage). */
    public static final int EXIT_ERROR = 1;
    /** Exit code of a usage error (unknown option, missing argument). */
    public static final int EXIT_USAGE = 2;
    /** Exit code of {@code verify} when some lines were malformed or not scored (the output is still complete). */
    public static final int EXIT_PARTIAL = 3;
    /** Exit code of a run stopped cleanly by SIGTERM or Ctrl-C (128 + SIGTERM's 15, what the shell reports anyway). */
    public static final int EXIT_STOPPED = 143;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "On an error, print the stack trace too.")
    boolean verbose;

    @Spec
    CommandSpec spec;

    private final Supplier<StageRegistry> stages;
    private final ProgressFactory progress;
    private StageRegistry loadedStages;

    /** The command line as shipped: stages from the class path, progress bars chosen by terminal. */
    public Main() {
        this(StageRegistry::defaultRegistry, ProgressFactory.auto());
    }

    /** For tests and embedding: given stages and progress display. */
    public Main(Supplier<StageRegistry> stages, ProgressFactory progress) {
        this.stages = stages;
        this.progress = progress;
    }

    /** The stage registry (found on first use, so commands that need none do not pay for it). */
    public synchronized StageRegistry stages() {
        if (loadedStages == null) {
            loadedStages = stages.get();
        }
        return loadedStages;
    }

    public ProgressFactory progress() {
        return progress;
    }

    /** Standard output of the command line (a test may capture it). */
    public PrintWriter out() {
        return spec.commandLine().getOut();
    }

    public PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line on the process's standard streams and returns the exit code. */
    public static int execute(String... args) {
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        return commandLine(new Main(), out, err).execute(args);
    }

    /** A configured picocli command line over {@code main}, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(Main main, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(main);
        for (Class<?> c : COMMANDS) {
            cl.addSubcommand(c);
        }
        // -h/--help on every subcommand, so 'recipe serve --help' prints help instead of "Missing required option"
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (!sub.getCommandSpec().optionsMap().containsKey("--help")) { // the 'help' command has its own
                sub.getCommandSpec().mixinStandardHelpOptions(true);
            }
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler(CliErrors::onExecutionError);
        cl.setParameterExceptionHandler(CliErrors::onUsageError);
        return cl;
    }
}
