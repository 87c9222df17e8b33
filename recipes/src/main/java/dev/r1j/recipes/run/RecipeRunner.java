package dev.r1j.recipes.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1j.core.train.TrainingStopped;
import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.StageSpec;
import dev.r1j.recipes.config.RecipeException;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.Plots;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.report.ResultsTable;
import dev.r1j.recipes.report.RunReport;
import dev.r1j.recipes.report.TensorBoardExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Runs a {@link Recipe}'s stages in order over one run directory:
 * <pre>
 * run_dir/
 *   config.resolved.json   the recipe after defaults and --set, git commit, seed, Java/DJL versions
 *   metrics.jsonl          one line per logged step, every stage ({@link MetricsLog})
 *   stages/NN-id/          each stage's own files (checkpoints, completions)
 *   run_state.json         finished stages and the model each left (for --resume)
 *   results.json           results recorded by stages (e.g. evaluations), printed as one table at the end
 *   plots/NN-stage.png     one page per stage: reward, accuracy, length, KL, loss by the stage's step, smoothed,
 *                          with the held-out evaluations around it, drawn at the end ({@link Plots})
 *   report.html            the before/after table, each stage's page, metrics and sample completions ({@link RunReport})
 *   tensorboard/NN-stage/  TensorBoard event files, with {@link #withTensorBoard} ({@link TensorBoardExport})
 * </pre>
 *
 * <pre>{@code
 * Recipe recipe = new RecipeLoader(StageRegistry.defaultRegistry()).load("r1-zero.yaml", List.of());
 * RunSummary s = new RecipeRunner(new PrintWriter(System.out, true), ProgressFactory.auto()).run(recipe, RunMode.FRESH);
 * }</pre>
 */
public final class RecipeRunner {
    private final PrintWriter out;
    private final ProgressFactory progress;
    private final boolean tensorBoard;

    public RecipeRunner(PrintWriter out, ProgressFactory progress) {
        this(out, progress, false);
    }

    private RecipeRunner(PrintWriter out, ProgressFactory progress, boolean tensorBoard) {
        this.out = out;
        this.progress = progress;
        this.tensorBoard = tensorBoard;
    }

    /** The same runner, also writing TensorBoard event files into {@code run_dir/tensorboard} at the end. */
    public RecipeRunner withTensorBoard(boolean on) {
        return new RecipeRunner(out, progress, on);
    }

    /**
     * Runs the recipe. A stage's exception stops the run as a {@link StageFailedException} naming the stage; plots of
     * what was logged are drawn either way.
     */
    public RunSummary run(Recipe recipe, RunMode mode) {
        Path runDir = recipe.runDir();
        boolean resuming = prepare(runDir, mode);
        RunState state = resuming ? RunState.read(runDir) : RunState.fresh(runDir);
        writeResolvedConfig(recipe, resuming);

        Path model = recipe.model().path().orElse(null);
        Path metricsFile = runDir.resolve("metrics.jsonl");
        List<StageSpec> stages = recipe.stages();
        List<Path> plots = List.of();
        try {
            for (StageSpec spec : stages) {
                String head = "[" + (spec.index() + 1) + "/" + stages.size() + "] " + spec.id();
                Optional<RunState.Done> done = resuming ? state.finished(spec.index(), spec.id()) : Optional.empty();
                if (done.isPresent()) {
                    model = done.get().outputModel() == null ? null : Path.of(done.get().outputModel());
                    out.println(head + ": finished earlier, skipped");
                    continue;
                }
                out.println(head + ": " + spec.provider().description());
                out.flush();
                Path stageDir = runDir.resolve("stages").resolve(String.format("%02d-%s", spec.index(), spec.id()));
                createDirectories(stageDir);
                try (MetricsLog metrics = MetricsLog.open(metricsFile, spec.id(), spec.index())) {
                    RunContext ctx = new RunContext(recipe, spec, stageDir, model, resuming, metrics, progress, out, state);
                    try {
                        spec.create().run(ctx);
                    } catch (TrainingStopped e) {
                        throw new RunStoppedException("stage " + (spec.index() + 1) + "/" + stages.size() + " '"
                                + spec.id() + "' " + e.getMessage() + "; continue with --resume", e);
                    } catch (Exception e) {
                        String why = e.getMessage() != null ? e.getMessage() : e.toString();
                        throw new StageFailedException("stage " + (spec.index() + 1) + "/" + stages.size() + " '" + spec.id()
                                + "' failed: " + why + " (continue with --resume)", e);
                    }
                    model = ctx.nextModel();
                }
                state.finish(spec.index(), spec.id(), model);
                out.flush();
            }
        } finally {
            plots = drawPlots(metricsFile, runDir.resolve("plots"));
        }
        Map<String, Map<String, Double>> results = state.results();
        if (!results.isEmpty()) {
            out.println();
            out.print(ResultsTable.compare(results).render());
        }
        out.println("run directory: " + runDir);
        out.flush();
        return new RunSummary(runDir, Optional.ofNullable(model), results, plots);
    }

    /** Checks the run directory against the mode; returns whether there is a run to resume. */
    private boolean prepare(Path runDir, RunMode mode) {
        boolean occupied = Files.isDirectory(runDir) && !isEmpty(runDir);
        if (Files.exists(runDir) && !Files.isDirectory(runDir)) {
            throw new RecipeException("run_dir " + runDir + " is a file, not a directory");
        }
        switch (mode) {
            case FRESH:
                if (occupied && stoppedBeforeAnyOutput(runDir)) {
                    // nothing to resume or lose: a run that failed at its start is simply started again
                    out.println("note: " + runDir + " holds a run that stopped before any stage wrote anything; "
                            + "starting it again");
                    deleteRecursively(runDir);
                } else if (occupied) {
                    throw new RecipeException("run directory " + runDir + " already holds a run; continue it with --resume, "
                            + "start over with --overwrite, or pick another with --set run_dir=...");
                }
                break;
            case OVERWRITE:
                if (occupied) {
                    if (!Files.exists(runDir.resolve("config.resolved.json"))) {
                        throw new RecipeException("run directory " + runDir + " is not empty and holds no config.resolved.json, "
                                + "so it is not an R1J run; refusing to delete it");
                    }
                    deleteRecursively(runDir);
                }
                break;
            case RESUME:
                if (!occupied) {
                    out.println("nothing to resume in " + runDir + "; starting a new run");
                }
                break;
            default:
                throw new IllegalArgumentException(mode.toString());
        }
        createDirectories(runDir);
        return mode == RunMode.RESUME && occupied;
    }

    private void writeResolvedConfig(Recipe recipe, boolean resuming) {
        Path file = recipe.runDir().resolve("config.resolved.json");
        JsonNode previous = resuming && Files.exists(file) ? Json.read(file) : null;
        if (previous != null && previous.get("recipe") != null) {
            List<String> changes = RecipeDiff.between(previous.get("recipe"), recipe.resolved());
            if (!changes.isEmpty()) {
                out.println("note: the recipe differs from the one this run started with (" + RecipeDiff.summary(changes, 5)
                        + "); continuing with the new one");
            }
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.set("recipe", recipe.resolved());
        root.put("source", recipe.source());
        ArrayNode overrides = root.putArray("overrides");
        recipe.overrides().forEach(overrides::add);
        root.put("seed", recipe.seed());
        root.setAll(Provenance.describe());
        if (previous != null) {
            // the run began when it was first created; each resume is recorded after it
            if (previous.hasNonNull("created_at")) root.set("created_at", previous.get("created_at"));
            ArrayNode resumed = root.putArray("resumed_at");
            if (previous.path("resumed_at").isArray()) previous.get("resumed_at").forEach(resumed::add);
            resumed.add(java.time.Instant.now().toString());
        }
        Json.writeAtomically(file, root);
    }

    private List<Path> drawPlots(Path metricsFile, Path dir) {
        if (!Files.exists(metricsFile)) {
            return List.of();
        }
        try {
            List<Path> pngs = Plots.draw(metricsFile, dir);
            if (!pngs.isEmpty()) {
                out.println("plots: " + dir + " (one page per stage: " + pngs.size() + " PNG)");
            }
            out.println("report: " + RunReport.write(metricsFile.getParent()));
            if (tensorBoard) {
                List<Path> events = TensorBoardExport.write(metricsFile.getParent());
                out.println("tensorboard: " + events.size() + " event file(s); view with tensorboard --logdir "
                        + metricsFile.getParent().resolve(TensorBoardExport.DIR));
            }
            return pngs;
        } catch (RuntimeException | LinkageError e) {
            // A plot is a convenience: never let it hide the run's own outcome.
            out.println("warning: could not draw plots: " + e);
            return List.of();
        }
    }

    /**
     * Whether {@code runDir} holds only what the runner writes when no stage did anything: its
     * {@code config.resolved.json}, an empty {@code metrics.jsonl}, the report and empty directories. No stage finished
     * ({@code run_state.json} is written when one does) and none left a file.
     */
    static boolean stoppedBeforeAnyOutput(Path runDir) {
        if (!Files.isRegularFile(runDir.resolve("config.resolved.json"))) {
            return false; // not an R1J run
        }
        try (Stream<Path> walk = Files.walk(runDir)) {
            return walk.filter(Files::isRegularFile).allMatch(f -> f.equals(runDir.resolve("config.resolved.json"))
                    || f.equals(runDir.resolve(RunReport.FILE)) // redrawn at the end of every run
                    || f.equals(runDir.resolve("metrics.jsonl")) && sizeOf(f) == 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runDir + ": " + e.getMessage(), e);
        }
    }

    private static long sizeOf(Path f) {
        try {
            return Files.size(f);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f + ": " + e.getMessage(), e);
        }
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }
}
