package dev.r1j.recipes.cli;

import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.run.StageFailedException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/** How the command line reports failures: one clear line, a stack trace only with {@code --verbose}. */
final class CliErrors {
    private CliErrors() {}

    static int onExecutionError(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        PrintWriter err = cl.getErr();
        boolean verbose = verbose(parsed);
        boolean expected = isExpected(ex);
        err.println(prefix(cl) + message(ex) + (expected || verbose ? "" : " (--verbose shows the stack trace)"));
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
        return Main.EXIT_ERROR;
    }

    static int onUsageError(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        PrintWriter err = cl.getErr();
        err.println(prefix(cl) + ex.getMessage());
        err.println("Try '" + cl.getCommandSpec().qualifiedName() + " --help'.");
        err.flush();
        return Main.EXIT_USAGE;
    }

    /** The message a user should see for {@code ex}. */
    static String message(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException && t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        if (t instanceof NoSuchFileException) {
            return "no such file: " + ((NoSuchFileException) t).getFile();
        }
        if (t instanceof AccessDeniedException) {
            return "permission denied: " + ((AccessDeniedException) t).getFile();
        }
        if (t.getMessage() == null || t.getMessage().isBlank()) {
            return t.toString();
        }
        if (isExpected(t) || t instanceof UncheckedIOException) {
            return t.getMessage();
        }
        return t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /**
     * Errors that are the user's input or a clear report (R1J's own exceptions name file, line or field), where the
     * class name and a stack trace help nobody.
     */
    private static boolean isExpected(Throwable t) {
        return t instanceof RecipeException || t instanceof StageFailedException || t instanceof IllegalArgumentException
                || t instanceof UncheckedIOException || t instanceof CliException
                || t.getClass().getName().startsWith("dev.r1j.");
    }

    private static String prefix(CommandLine cl) {
        return cl.getCommandSpec().qualifiedName() + ": ";
    }

    private static boolean verbose(CommandLine.ParseResult parsed) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) {
                return true;
            }
        }
        return false;
    }
}
