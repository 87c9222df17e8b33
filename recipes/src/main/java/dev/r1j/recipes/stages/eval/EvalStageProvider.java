package dev.r1j.recipes.stages.eval;

import dev.r1j.recipes.stage.Stage;
import dev.r1j.recipes.stage.StageProvider;

/** Registers the {@code eval} stage. */
public final class EvalStageProvider implements StageProvider<EvalOptions> {
    @Override
    public String name() {
        return "eval";
    }

    @Override
    public String description() {
        return "scores the current model on held-out problems: exact-match accuracy, mean reward, completion length";
    }

    @Override
    public Class<EvalOptions> optionsType() {
        return EvalOptions.class;
    }

    @Override
    public Stage create(EvalOptions options) {
        return new EvalStage(options);
    }
}
