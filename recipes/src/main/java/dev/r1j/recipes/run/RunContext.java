package dev.r1j.recipes.run;

import dev.r1j.recipes.Recipe;
import dev.r1j.recipes.StageSpec;
import dev.r1j.recipes.report.MetricsLog;
import dev.r1j.recipes.report.ProgressFactory;
import dev.r1j.recipes.stage.StageContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** The {@link StageContext} the runner hands to one stage. */
final class RunContext implements StageContext {
    private final Recipe recipe;
    private final StageSpec spec;
    private final Path stageDir;
    private final Path inputModel;
    private final boolean resuming;
    private final MetricsLog metrics;
    private final ProgressFactory progress;
    private final PrintWriter out;
    private final RunState state;
    private Path outputModel;

    RunContext(Recipe recipe, StageSpec spec, Path stageDir, Path inputModel, boolean resuming, MetricsLog metrics,
            ProgressFactory progress, PrintWriter out, RunState state) {
        this.recipe = recipe;
        this.spec = spec;
        this.stageDir = stageDir;
        this.inputModel = inputModel;
        this.resuming = resuming;
        this.metrics = metrics;
        this.progress = progress;
        this.out = out;
        this.state = state;
    }

    @Override
    public Recipe recipe() {
        return recipe;
    }

    @Override
    public int stageIndex() {
        return spec.index();
    }

    @Override
    public String stageId() {
        return spec.id();
    }

    @Override
    public Path runDir() {
        return recipe.runDir();
    }

    @Override
    public Path stageDir() {
        return stageDir;
    }

    @Override
    public Optional<Path> inputModel() {
        return Optional.ofNullable(inputModel);
    }

    @Override
    public void setOutputModel(Path modelDir) {
        this.outputModel = Objects.requireNonNull(modelDir, "modelDir");
    }

    /** The model the next stage gets: what this stage set, else its input. */
    Path nextModel() {
        return outputModel != null ? outputModel : inputModel;
    }

    @Override
    public long seed() {
        return recipe.seed();
    }

    @Override
    public boolean resuming() {
        return resuming;
    }

    @Override
    public MetricsLog metrics() {
        return metrics;
    }

    @Override
    public ProgressFactory progress() {
        return progress;
    }

    @Override
    public PrintWriter out() {
        return out;
    }

    @Override
    public void recordResult(String label, Map<String, Double> values) {
        state.recordResult(label, values);
    }
}
