package dev.r1j.recipes.cli;

import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the command line (no stages, no progress) with its standard output and error captured. */
final class CommandHarness {
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        Main main = new Main(StageRegistry::of, ProgressFactory.none());
        return Main.commandLine(main, new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    }
}
